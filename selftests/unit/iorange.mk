TESTS += iorange_test
iorange_test_SRCS := iorange_test.c ../../core/iorange.c
