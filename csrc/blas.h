/* blas.h — the few BLAS symbols convx uses, from the scipy-openblas32 wheel.
 *
 * The wheel's library exports every symbol with a `scipy_` prefix and 32-bit integers (blasint =
 * int). It is loaded into the process by importing `scipy_openblas32` before the extension (see
 * convx/__init__.py), and linked by name at build time. Callers keep every dimension below 2^31.
 */
#ifndef CONVX_BLAS_H
#define CONVX_BLAS_H

enum { CX_CblasRowMajor = 101 };
enum { CX_CblasNoTrans = 111, CX_CblasTrans = 112 };

void scipy_cblas_sgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c,
                       int ldc);
void scipy_cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                       const double *a, int lda, const double *b, int ldb, double beta, double *c,
                       int ldc);
void scipy_openblas_set_num_threads(int num_threads);
int scipy_openblas_get_num_threads(void);
char *scipy_openblas_get_corename(void);
char *scipy_openblas_get_config(void);

#define CX_BLAS_INT_MAX 2147483647LL

#endif
