TESTS += irqroute_test
irqroute_test_SRCS := irqroute_test.c $(TOP)/core/irqroute.c
