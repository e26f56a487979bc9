TESTS += lapic_test
lapic_test_SRCS := lapic_test.c ../../irq/lapic_regs.c
