// Small vector helpers for embeddings: dot products and unit length.
import Foundation

public enum Vector {
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot: \(a.count) and \(b.count) values")
        var sum: Float = 0
        for i in 0..<a.count { sum += a[i] * b[i] }
        return sum
    }

    /// x / ||x||
    public static func normalized(_ x: [Float]) -> [Float] {
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? x.map { $0 / norm } : x
    }

    /// A flat (N * width) array as N unit-length rows.
    public static func unitRows(_ flat: [Float], width: Int) -> [[Float]] {
        stride(from: 0, to: flat.count, by: width).map { normalized(Array(flat[$0..<($0 + width)])) }
    }
}
