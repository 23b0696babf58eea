// How a batch's rows pass through a block: sequences of stacked rows (R), each attended on its own,
// and the rows the residual stream holds (U): all R, or only the distinct ones when rows are shared.
import Foundation

struct TokenLayout {
    let sequences: [(start: Int, length: Int)]
    let shared: SharedRows?
    /// R: every sequence's rows, stacked.
    let stackedRows: Int
    /// U: the rows of the residual stream and of all row-wise work.
    var rows: Int { shared?.count ?? stackedRows }
    let longest: Int
    /// Where (sequence s, head h)'s (L, L) probabilities start in a packed buffer: offsets[s] + h L L; the last entry is the total.
    let probsOffsets: [Int]

    init(sequences: [(start: Int, length: Int)], shared: SharedRows? = nil, heads: Int) {
        self.sequences = sequences; self.shared = shared
        stackedRows = sequences.last.map { $0.start + $0.length } ?? 0
        longest = sequences.map(\.length).max() ?? 1
        var offsets: [Int] = [], offset = 0
        for s in sequences { offsets.append(offset); offset += heads * s.length * s.length }
        probsOffsets = offsets + [offset]
    }

    /// `count` sequences of `length` rows each, one after another (a batch of images).
    init(count: Int, length: Int, heads: Int) {
        self.init(sequences: (0..<count).map { (start: $0 * length, length: length) }, heads: heads)
    }
}
