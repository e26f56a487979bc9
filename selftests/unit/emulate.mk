TESTS += emulate_test
emulate_test_SRCS := emulate_test.c $(TOP)/vmx/emulate.c
