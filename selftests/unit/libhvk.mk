TESTS += libhvk_test
libhvk_test_SRCS := libhvk_test.c ../../tools/lib/dev.c \
	../../tools/lib/exit.c ../../tools/lib/ucall.c
