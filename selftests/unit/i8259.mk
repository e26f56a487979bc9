TESTS += i8259_test
i8259_test_SRCS := i8259_test.c $(TOP)/irq/i8259.c
