TESTS += memslot_test
memslot_test_SRCS := memslot_test.c $(TOP)/core/memslot.c
