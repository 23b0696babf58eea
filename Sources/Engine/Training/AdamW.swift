// AdamW as torch.optim.AdamW (decoupled weight decay), with open_clip's exclusions: no weight decay
// on gains, biases, embeddings' class/position vectors and the logit scale (tensors of one dimension or less).
// And the schedule: linear warm-up, then cosine to zero (open_clip's cosine_lr).
import Foundation

public struct AdamW {
    public var learningRate: Float
    public var beta1: Float = 0.9, beta2: Float = 0.98, epsilon: Float = 1e-6
    public var weightDecay: Float = 0.2
    var first: CLIPParameters, second: CLIPParameters
    var steps = 0

    public init(_ parameters: CLIPParameters, learningRate: Float = 5e-4, weightDecay: Float = 0.2) {
        self.learningRate = learningRate; self.weightDecay = weightDecay
        first = parameters.zeros(); second = parameters.zeros()
    }

    static func decays(_ role: TensorRole, shape: [Int]) -> Bool { shape.count >= 2 }

    public mutating func step(_ parameters: inout CLIPParameters, gradients: CLIPParameters) {
        steps += 1
        let c1 = 1 - powf(beta1, Float(steps)), c2 = 1 - powf(beta2, Float(steps))
        let shapes = Dictionary(uniqueKeysWithValues: CLIPWeights.expectedShapes(parameters.configuration).map { ($0.0, $0.1) })
        for role in Array(parameters.values.keys) {
            let g = gradients[role]
            var p = parameters[role], m = first[role], v = second[role]
            parameters.values[role] = nil; first.values[role] = nil; second.values[role] = nil   // no copies while updating
            let decay = Self.decays(role, shape: shapes[role] ?? []) ? learningRate * weightDecay : 0
            let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
            p.withUnsafeMutableBufferPointer { ps in m.withUnsafeMutableBufferPointer { ms in v.withUnsafeMutableBufferPointer { vs in
            g.withUnsafeBufferPointer { gs in
                let p = ps.baseAddress!, m = ms.baseAddress!, v = vs.baseAddress!, g = gs.baseAddress!
                Parallel.chunks(ps.count, minimumChunk: 1 << 16) { range in
                    for i in range {
                        p[i] -= decay * p[i]
                        m[i] = b1 * m[i] + (1 - b1) * g[i]
                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                        p[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                    }
                }
            } } } }
            parameters.values[role] = p; first.values[role] = m; second.values[role] = v
        }
    }

    /// Linear warm-up over `warmup` steps, then cosine from `base` to 0 at `total`.
    public static func rate(base: Float, step: Int, warmup: Int, total: Int) -> Float {
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        let progress = Float(step - warmup) / Float(max(1, total - warmup))
        return 0.5 * (1 + cosf(Float.pi * min(progress, 1))) * base
    }
}
