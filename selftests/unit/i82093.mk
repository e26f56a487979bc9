TESTS += i82093_test
i82093_test_SRCS := i82093_test.c $(TOP)/irq/i82093.c
