TESTS += i8254_test
i8254_test_SRCS := i8254_test.c $(TOP)/irq/i8254.c
