#include <cblas.h>
// OpenBLAS's thread controls, so the engine can pin the matrix work to the machine's cores.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
