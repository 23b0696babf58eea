// Rows that equal prompt prefixes make equal: under the causal mask a token's state depends only on
// the tokens up to it, so prompts that begin alike ("[SOT] [C1..C4] ...") have equal rows there at
// every layer, and row-wise work (layer norms, linear layers, MLP) need run once per distinct row.
import Foundation

/// `distinct[r]` is stacked row r's index among the U distinct rows, `first[u]` the first stacked row holding distinct row u.
struct SharedRows {
    let distinct: [Int]
    let first: [Int]
    var count: Int { first.count }

    /// Rows (s, i) and (s', i) are equal when the prompts, of one group, agree, token and replacement, up to i.
    init(_ prompts: [TextTransformer.Prompt], sequences: [(start: Int, length: Int)]) {
        var distinct = [Int](repeating: 0, count: (sequences.last.map { $0.start + $0.length }) ?? 0)
        var first: [Int] = []
        for (s, seq) in sequences.enumerated() {
            // The longest prefix shared with each earlier prompt.
            var common = [Int](repeating: 0, count: s)
            for e in 0..<s where prompts[e].group == prompts[s].group {
                var i = 0
                while i < min(seq.length, sequences[e].length), prompts[s].tokens[i] == prompts[e].tokens[i],
                      prompts[s].replacements[i] == prompts[e].replacements[i] { i += 1 }
                common[e] = i
            }
            for i in 0..<seq.length {
                if let e = common.firstIndex(where: { $0 > i }) {
                    distinct[seq.start + i] = distinct[sequences[e].start + i]
                } else {
                    distinct[seq.start + i] = first.count
                    first.append(seq.start + i)
                }
            }
        }
        self.distinct = distinct; self.first = first
    }

    /// (R, width) from (U, width).
    func expand(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        for (r, u) in distinct.enumerated() { memcpy(out + r * width, x + u * width, width * 4) }
    }

    /// (U, width) from (R, width), taking each distinct row's first copy.
    func pick(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        for (u, r) in first.enumerated() { memcpy(out + u * width, x + r * width, width * 4) }
    }

    /// (R, width) from (U, width) into each distinct row's first copy, zeros elsewhere: the gradient of `pick`.
    func unpick(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        memset(out, 0, distinct.count * width * 4)
        for (u, r) in first.enumerated() { memcpy(out + r * width, x + u * width, width * 4) }
    }

    /// (U, width) = the sum over each distinct row's copies in (R, width): the gradient of `expand`.
    func sum(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        memset(out, 0, count * width * 4)
        for (r, u) in distinct.enumerated() { for c in 0..<width { out[u * width + c] += x[r * width + c] } }
    }
}
