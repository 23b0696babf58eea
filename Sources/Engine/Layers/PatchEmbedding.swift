// The vision tower's conv1: a p x p convolution with stride p and no bias, as im2col then one matrix
// product. Size letters: B images, P patches, K = 3 p p, C width.
import Foundation

enum PatchEmbedding {
    /// (B*P, K) columns: each patch's pixels in conv1's (channel, ky, kx) order, from images (3, H, W).
    static func columns(_ images: [[Float]], _ v: CLIPConfiguration.Vision) -> [Float] {
        let p = v.patchSize, P = v.patches, K = 3 * p * p, H = v.imageHeight, W = v.imageWidth
        var columns = [Float](repeating: 0, count: images.count * P * K)
        columns.withUnsafeMutableBufferPointer { out in
            for (b, image) in images.enumerated() {
                image.withUnsafeBufferPointer { pixels in
                    for patch in 0..<P {
                        let gy = patch / v.gridWidth, gx = patch % v.gridWidth
                        let row = out.baseAddress! + (b * P + patch) * K
                        for c in 0..<3 { for ky in 0..<p {
                            // one row of the patch is p contiguous pixels
                            memcpy(row + (c * p + ky) * p, pixels.baseAddress! + (c * H + gy * p + ky) * W + gx * p, p * 4)
                        } }
                    }
                }
            }
        }
        return columns
    }

    /// out (B*P, C) = columns (B*P, K) W^T, W conv1's (C, 3, p, p) read as (C, K).
    static func forward(_ out: UnsafeMutablePointer<Float>, columns: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, width C: Int, k K: Int) {
        BLAS.sgemm(columns, weight, transposeB: true, out, m: rows, n: C, k: K)
    }

    /// dW (C, K) += dout (B*P, C)^T columns (B*P, K); the images need no gradient.
    static func backward(dweight: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, columns: UnsafePointer<Float>, rows: Int, width C: Int, k K: Int) {
        BLAS.sgemm(dout, transposeA: true, columns, dweight, m: C, n: K, k: rows, beta: 1)
    }
}
