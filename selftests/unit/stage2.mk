TESTS += stage2_test
stage2_test_SRCS := stage2_test.c $(TOP)/mmu/stage2.c
