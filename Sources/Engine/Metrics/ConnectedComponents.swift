// Connected regions of a binary mask, 8-connected as scipy.ndimage.label with a 3x3 structure
// (what the MVTec AD evaluation code uses to find defect regions).
public enum ConnectedComponents {
    /// Labels 1...count for defect pixels (mask != 0), 0 elsewhere; (height, width) row-major.
    public static func label(_ mask: [Float], width: Int, height: Int) -> (labels: [Int32], count: Int) {
        precondition(mask.count == width * height, "label: \(mask.count) pixels for \(width)x\(height)")
        var labels = [Int32](repeating: 0, count: mask.count)
        var count: Int32 = 0
        var stack: [Int] = []
        for start in 0..<mask.count where mask[start] != 0 && labels[start] == 0 {
            count += 1
            labels[start] = count
            stack.append(start)
            while let p = stack.popLast() {
                let y = p / width, x = p % width
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0, nx < width else { continue }
                        let q = ny * width + nx
                        if mask[q] != 0 && labels[q] == 0 { labels[q] = count; stack.append(q) }
                    }
                }
            }
        }
        return (labels, Int(count))
    }
}
