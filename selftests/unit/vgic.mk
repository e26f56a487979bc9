TESTS += vgic_test
vgic_test_SRCS := vgic_test.c ../../irq/vgic-regs.c
