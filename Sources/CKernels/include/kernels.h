#ifndef ENGINE_KERNELS_H
#define ENGINE_KERNELS_H
// The engine's element-wise loops: the transformer's work outside its matrix products. In C so that
// each is compiled for AVX-512, AVX2 + FMA and baseline x86-64 and the CPU picks at load time
// (Swift has no per-function target); single-threaded, the engine splits rows over the cores.

/// e^x for x in about [-87, 88] and erf(x), to a few 1e-7; GELU (erf form) and QuickGELU.
float engine_exp(float x);
float engine_erf(float x);
float engine_gelu(float x);
float engine_quick_gelu(float x);

/// x[r, c] += bias[c] over rows x cols.
void engine_add_bias(float *x, const float *bias, long rows, long cols);
/// x = act(x + bias) in place; act is QuickGELU when `quick`, else GELU.
void engine_add_bias_activation(float *x, const float *bias, long rows, long cols, int quick);
/// out = act(u) over `count` values.
void engine_activation(float *out, const float *u, long count, int quick);
/// du = dg act'(u) over `count` values.
void engine_activation_backward(float *du, const float *dg, const float *u, long count, int quick);
/// Row-wise softmax in place; with `causal`, row r keeps columns 0...r and the rest become 0.
void engine_softmax_rows(float *x, long rows, long cols, int causal);
/// out = (inp - mean) / sqrt(var + eps) * weight + bias per row (biased variance, as torch); out may be inp.
void engine_layer_norm(float *out, const float *inp, const float *weight, const float *bias, long rows, long cols, float eps);
/// dinp += the input gradient of engine_layer_norm, from dout; the statistics recomputed from inp.
void engine_layer_norm_backward(float *dinp, const float *dout, const float *inp, const float *weight, long rows, long cols, float eps);
/// dweight += sum over rows of dout * xhat, dbias += sum of dout.
void engine_layer_norm_parameter_gradients(float *dweight, float *dbias, const float *dout, const float *inp, long rows, long cols, float eps);
#endif
