// See kernels.h. Each exported loop is cloned per instruction set (target_clones, resolved once at
// load); reductions may be reordered (the fp pragma), which changes sums by rounding only.
#include "kernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__ELF__)   // target_clones needs the loader's ifunc: Linux and the BSDs
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

static inline float bits_to_float(int32_t i) { float f; memcpy(&f, &i, 4); return f; }
static inline int32_t float_to_bits(float f) { int32_t i; memcpy(&i, &f, 4); return i; }

// Range reduction by ln 2, a degree-6 polynomial (Cephes' expf), 2^n put in the exponent bits; branch-free.
static inline float fast_exp(float x0) {
    float x = x0 > 88.3f ? 88.3f : (x0 < -87.3f ? -87.3f : x0);
    float shifted = x * 1.44269504f + 12582912.0f;   // 1.5 * 2^23: rounds x / ln 2 into the low mantissa bits
    float n = shifted - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.1665796e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.0000001e-1f;
    float er = p * r * r + r + 1.0f;
    return er * bits_to_float((float_to_bits(shifted) - 0x4B400000 + 127) << 23);
}

// Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), odd-extended.
static inline float fast_erf(float x) {
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * fast_exp(-a * a);
    return x < 0 ? -y : y;
}

static inline float gelu(float x) { return 0.5f * x * (1.0f + fast_erf(x * 0.707106781f)); }
static inline float quick_gelu(float x) { return x / (1.0f + fast_exp(-1.702f * x)); }
static inline float gelu_derivative(float x) {
    return 0.5f * (1.0f + fast_erf(x * 0.707106781f)) + x * fast_exp(-0.5f * x * x) * 0.39894228f;
}
static inline float quick_gelu_derivative(float x) {
    float s = 1.0f / (1.0f + fast_exp(-1.702f * x));
    return s + 1.702f * x * s * (1.0f - s);
}

float engine_exp(float x) { return fast_exp(x); }
float engine_erf(float x) { return fast_erf(x); }
float engine_gelu(float x) { return gelu(x); }
float engine_quick_gelu(float x) { return quick_gelu(x); }

CLONES void engine_add_bias(float *x, const float *bias, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (long c = 0; c < cols; c++) row[c] += bias[c];
    }
}

CLONES void engine_add_bias_activation(float *x, const float *bias, long rows, long cols, int quick) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        if (quick) { for (long c = 0; c < cols; c++) row[c] = quick_gelu(row[c] + bias[c]); }
        else { for (long c = 0; c < cols; c++) row[c] = gelu(row[c] + bias[c]); }
    }
}

CLONES void engine_activation(float *out, const float *u, long count, int quick) {
    if (quick) { for (long i = 0; i < count; i++) out[i] = quick_gelu(u[i]); }
    else { for (long i = 0; i < count; i++) out[i] = gelu(u[i]); }
}

CLONES void engine_activation_backward(float *du, const float *dg, const float *u, long count, int quick) {
    if (quick) { for (long i = 0; i < count; i++) du[i] = dg[i] * quick_gelu_derivative(u[i]); }
    else { for (long i = 0; i < count; i++) du[i] = dg[i] * gelu_derivative(u[i]); }
}

CLONES void engine_softmax_rows(float *x, long rows, long cols, int causal) {
#pragma clang fp reassociate(on)
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        long n = causal ? r + 1 : cols;
        float max_value = -INFINITY;
        for (long c = 0; c < n; c++) max_value = row[c] > max_value ? row[c] : max_value;
        float sum = 0;
        for (long c = 0; c < n; c++) { float e = fast_exp(row[c] - max_value); row[c] = e; sum += e; }
        float inv = 1.0f / sum;
        for (long c = 0; c < n; c++) row[c] *= inv;
        for (long c = n; c < cols; c++) row[c] = 0;
    }
}

// Mean and 1 / sqrt(variance + eps) of one row, biased variance as torch.
static inline void statistics(const float *x, long cols, float eps, float *mean, float *rstd) {
#pragma clang fp reassociate(on)
    float sum = 0;
    for (long c = 0; c < cols; c++) sum += x[c];
    float m = sum / (float)cols, sq = 0;
    for (long c = 0; c < cols; c++) { float d = x[c] - m; sq += d * d; }
    *mean = m;
    *rstd = 1.0f / sqrtf(sq / (float)cols + eps);
}

CLONES void engine_layer_norm(float *out, const float *inp, const float *weight, const float *bias, long rows, long cols, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *x = inp + r * cols;
        float *y = out + r * cols;
        float mean, rstd;
        statistics(x, cols, eps, &mean, &rstd);
        for (long c = 0; c < cols; c++) y[c] = (x[c] - mean) * rstd * weight[c] + bias[c];
    }
}

CLONES void engine_layer_norm_backward(float *dinp, const float *dout, const float *inp, const float *weight, long rows, long cols, float eps) {
#pragma clang fp reassociate(on)
    for (long r = 0; r < rows; r++) {
        const float *x = inp + r * cols, *dy = dout + r * cols;
        float *dx = dinp + r * cols;
        float mean, rstd;
        statistics(x, cols, eps, &mean, &rstd);
        // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy w
        float mean_dxhat = 0, mean_dxhat_xhat = 0;
        for (long c = 0; c < cols; c++) {
            float dxhat = dy[c] * weight[c], xhat = (x[c] - mean) * rstd;
            mean_dxhat += dxhat; mean_dxhat_xhat += dxhat * xhat;
        }
        mean_dxhat /= (float)cols; mean_dxhat_xhat /= (float)cols;
        for (long c = 0; c < cols; c++) {
            float dxhat = dy[c] * weight[c], xhat = (x[c] - mean) * rstd;
            dx[c] += rstd * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat);
        }
    }
}

CLONES void engine_layer_norm_parameter_gradients(float *dweight, float *dbias, const float *dout, const float *inp, long rows, long cols, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *x = inp + r * cols, *dy = dout + r * cols;
        float mean, rstd;
        statistics(x, cols, eps, &mean, &rstd);
        for (long c = 0; c < cols; c++) {
            dweight[c] += dy[c] * (x[c] - mean) * rstd;
            dbias[c] += dy[c];
        }
    }
}
