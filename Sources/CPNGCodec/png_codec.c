// libpng's classic API with setjmp-based error handling, for decoding and encoding.
#include "png_codec.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *error;
    size_t errorCapacity;
} reader_state;

static void on_error(png_structp png, png_const_charp message) {
    reader_state *state = (reader_state *)png_get_error_ptr(png);
    if (state && state->error && state->errorCapacity > 0) {
        snprintf(state->error, state->errorCapacity, "%s", message);
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png; (void)message;  // warnings (e.g. an unknown chunk) do not stop decoding
}

static void on_read(png_structp png, png_bytep out, png_size_t length) {
    reader_state *state = (reader_state *)png_get_io_ptr(png);
    if (state->offset + length > state->size) {
        png_error(png, "file is truncated");
    }
    memcpy(out, state->data + state->offset, length);
    state->offset += length;
}

static int decode(const uint8_t *data, size_t size, uint64_t maxPixels, png_decoded *out, char *error, size_t errorCapacity, int headerOnly) {
    memset(out, 0, sizeof(*out));
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(error, errorCapacity, "not a PNG file (bad signature)");
        return 1;
    }
    reader_state state = { data, size, 0, error, errorCapacity };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (!png) { snprintf(error, errorCapacity, "out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); snprintf(error, errorCapacity, "out of memory"); return 1; }
    // volatile: modified between setjmp and a possible longjmp
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_set_read_fn(png, &state, on_read);
    // Text and other ancillary chunks may not inflate past 8 MB (a zTXt bomb).
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);
    uint64_t pixelCount = (uint64_t)png_get_image_width(png, info) * (uint64_t)png_get_image_height(png, info);
    if (pixelCount > maxPixels) {
        snprintf(error, errorCapacity, "image is %u x %u pixels (%.1f MP), above the limit of %.0f MP",
                 png_get_image_width(png, info), png_get_image_height(png, info), pixelCount / 1e6, maxPixels / 1e6);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }

    // Palette -> RGB, gray below 8 bits -> 8 bits (1-bit masks become 0/255), tRNS -> alpha.
    png_set_expand(png);
    if (png_get_bit_depth(png, info) == 16) {
        uint16_t probe = 1;
        if (*(uint8_t *)&probe == 1) png_set_swap(png);  // PNG stores big-endian
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    out->width = png_get_image_width(png, info);
    out->height = png_get_image_height(png, info);
    out->channels = png_get_channels(png, info);
    out->bitDepth = png_get_bit_depth(png, info);
    if (headerOnly) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    size_t rowBytes = png_get_rowbytes(png, info);
    if (out->height == 0 || rowBytes == 0 || (size_t)out->height > ((size_t)1 << 40) / rowBytes) {
        png_error(png, "image dimensions are out of range");
    }
    pixels = (uint8_t *)malloc(rowBytes * out->height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * out->height);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < out->height; y++) rows[y] = pixels + (size_t)y * rowBytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    out->pixels = pixels;
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int png_decode_memory(const uint8_t *data, size_t size, uint64_t maxPixels, png_decoded *out, char *error, size_t errorCapacity) {
    return decode(data, size, maxPixels, out, error, errorCapacity, 0);
}

int png_read_header(const uint8_t *data, size_t size, uint64_t maxPixels, png_decoded *out, char *error, size_t errorCapacity) {
    return decode(data, size, maxPixels, out, error, errorCapacity, 1);
}

void png_decoded_free(png_decoded *image) {
    free(image->pixels);
    image->pixels = NULL;
}

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
} writer_state;

static void on_write(png_structp png, png_bytep data, png_size_t length) {
    writer_state *state = (writer_state *)png_get_io_ptr(png);
    if (state->size + length > state->capacity) {
        size_t capacity = state->capacity ? state->capacity * 2 : 4096;
        while (capacity < state->size + length) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(state->data, capacity);
        if (!grown) { png_error(png, "out of memory"); }
        state->data = grown;
        state->capacity = capacity;
    }
    memcpy(state->data + state->size, data, length);
    state->size += length;
}

static void on_flush(png_structp png) { (void)png; }

int png_encode_memory(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bitDepth,
                      uint8_t **out, size_t *outSize, char *error, size_t errorCapacity) {
    static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    *out = NULL; *outSize = 0;
    if (channels < 1 || channels > 4 || (bitDepth != 8 && bitDepth != 16) || width == 0 || height == 0) {
        snprintf(error, errorCapacity, "unsupported PNG shape %ux%ux%d at %d bits", width, height, channels, bitDepth);
        return 1;
    }
    reader_state errors = { NULL, 0, 0, error, errorCapacity };
    writer_state state = { NULL, 0, 0, 0 };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
    if (!png) { snprintf(error, errorCapacity, "out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); snprintf(error, errorCapacity, "out of memory"); return 1; }
    if (setjmp(png_jmpbuf(png))) {
        free(state.data);
        png_destroy_write_struct(&png, &info);
        return 1;
    }
    png_set_write_fn(png, &state, on_write, on_flush);
    png_set_IHDR(png, info, width, height, bitDepth, types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bitDepth == 16) {
        uint16_t probe = 1;
        if (*(uint8_t *)&probe == 1) png_set_swap(png);
    }
    size_t rowBytes = (size_t)width * channels * (bitDepth / 8);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * rowBytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = state.data;
    *outSize = state.size;
    return 0;
}

void png_encoded_free(uint8_t *buffer) { free(buffer); }
