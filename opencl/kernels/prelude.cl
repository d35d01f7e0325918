// Prepended to every kernel file by opencl.runtime: the element type of the program.
// REAL is float unless the program is built with -DREAL_IS_DOUBLE=1.
#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double REAL;
#else
typedef float REAL;
#endif
