// WinCLIP's windows (anomalib's `make_masks`): every k x k square of the patch grid at stride 1, in
// row-major order of its top-left patch, each listing its patch indices row-major.
public struct WinCLIPWindows: Sendable, Equatable {
    public let gridHeight: Int
    public let gridWidth: Int
    /// Window sides, WinCLIP's 2 and 3 patches.
    public let scales: [Int]
    /// Per scale, its windows.
    public let windows: [[[Int]]]

    public init(gridHeight: Int, gridWidth: Int, scales: [Int] = [2, 3]) {
        self.gridHeight = gridHeight; self.gridWidth = gridWidth; self.scales = scales
        windows = scales.map { k in
            guard k <= gridHeight && k <= gridWidth else { return [] }
            return (0...(gridHeight - k)).flatMap { y in
                (0...(gridWidth - k)).map { x in (0..<k).flatMap { dy in (0..<k).map { dx in (y + dy) * gridWidth + x + dx } } }
            }
        }
    }

    /// Harmonic aggregation (anomalib's `harmonic_aggregation`): each patch gets the number of windows
    /// covering it over the sum of their scores' reciprocals; a patch no window covers, or a zero score, gives 0.
    public func harmonicMap(_ scores: [Float], scale index: Int) -> [Float] {
        var count = [Float](repeating: 0, count: gridHeight * gridWidth)
        var reciprocal = [Float](repeating: 0, count: gridHeight * gridWidth)
        for (window, score) in zip(windows[index], scores) {
            for p in window { count[p] += 1; reciprocal[p] += 1 / score }
        }
        return zip(count, reciprocal).map { n, r in
            let value = n / r
            return value.isFinite ? value : 0
        }
    }
}
