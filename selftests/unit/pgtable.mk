TESTS += pgtable_test
pgtable_test_SRCS := pgtable_test.c $(TOP)/mmu/pgtable.c $(TOP)/mmu/ept.c \
	$(TOP)/mmu/stage2.c
