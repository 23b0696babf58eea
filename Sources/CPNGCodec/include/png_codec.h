#ifndef PNG_CODEC_H
#define PNG_CODEC_H
#include <stddef.h>
#include <stdint.h>

/// A decoded PNG: 1-4 channels (gray, gray+alpha, RGB, RGBA) of 8 or 16 bits, rows packed,
/// 16-bit samples in host byte order. Palette and 1/2/4-bit images come out as 8-bit.
typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;
    int bitDepth;
    uint8_t *pixels;      // width * height * channels * bitDepth/8 bytes, owned (free with png_decoded_free)
} png_decoded;

/// Decodes a PNG held in memory. Returns 0 on success; otherwise non-zero with a message in `error`.
/// An image of more than `maxPixels` pixels is refused after its header, before any pixel is allocated.
int png_decode_memory(const uint8_t *data, size_t size, uint64_t maxPixels, png_decoded *out, char *error, size_t errorCapacity);
void png_decoded_free(png_decoded *image);

/// Reads only the header: width, height, channels and bit depth as png_decode_memory would return.
int png_read_header(const uint8_t *data, size_t size, uint64_t maxPixels, png_decoded *out, char *error, size_t errorCapacity);

/// Encodes 8-bit (or 16-bit, host order) samples of 1-4 channels as PNG into a malloc'd buffer.
/// Returns 0 on success; free *out with png_encoded_free.
int png_encode_memory(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bitDepth,
                      uint8_t **out, size_t *outSize, char *error, size_t errorCapacity);
void png_encoded_free(uint8_t *buffer);

#endif
