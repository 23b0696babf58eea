// Every weight of a CLIP as a trainable array under its role, and the same layout for gradients
// and optimiser state. Reads from and writes to OpenCLIP-named safetensors.
import Foundation

public struct CLIPParameters: Sendable {
    public let configuration: CLIPConfiguration
    var values: [TensorRole: [Float]]

    init(configuration: CLIPConfiguration, values: [TensorRole: [Float]]) {
        self.configuration = configuration; self.values = values
    }

    /// OpenCLIP's initialisation (see CLIPInitializer), from a seed.
    public init(initialising configuration: CLIPConfiguration, seed: UInt64) {
        let named = CLIPInitializer.tensors(configuration, seed: seed)
        var values: [TensorRole: [Float]] = [:]
        for tensor in named { values[CheckpointKeys.role(of: tensor.name)!] = tensor.values }
        self.init(configuration: configuration, values: values)
    }

    public init(_ weights: CLIPWeights) { self.init(configuration: weights.configuration, values: weights.tensors) }

    /// Zeros in the same layout (gradients, optimiser moments).
    func zeros() -> CLIPParameters {
        CLIPParameters(configuration: configuration, values: values.mapValues { [Float](repeating: 0, count: $0.count) })
    }

    /// Every value set to zero, in place.
    mutating func clear() {
        for role in Array(values.keys) {
            var x = values[role]!
            values[role] = nil
            x.withUnsafeMutableBufferPointer { _ = memset($0.baseAddress!, 0, $0.count * 4) }
            values[role] = x
        }
    }

    subscript(_ role: TensorRole) -> [Float] {
        get { values[role]! }
        set { values[role] = newValue }
    }

    public var count: Int { values.values.reduce(0) { $0 + $1.count } }

    /// An in-memory CLIPWeights for the inference towers (the path is a label, not a file).
    public func weights(label: String) -> CLIPWeights {
        CLIPWeights(configuration: configuration, path: label, logitScale: values[.logitScale]![0], tensors: values)
    }

    /// OpenCLIP-named safetensors (F16 when `halfPrecision`), with the config JSON beside it.
    public func write(to url: URL, halfPrecision: Bool, metadata: [String: String] = [:]) throws {
        let tensors = CLIPWeights.expectedShapes(configuration).map { role, shape in (CheckpointKeys.name(of: role), shape, values[role]!) }
        try Safetensors.write(tensors, to: url, halfPrecision: halfPrecision, metadata: metadata.merging(["format": "pt"]) { a, _ in a })
        let v = configuration.vision
        try "{\"activation\": \"\(configuration.activation.rawValue)\", \"image_size\": [\(v.imageHeight), \(v.imageWidth)]}\n"
            .write(to: url.deletingPathExtension().appendingPathExtension("json"), atomically: true, encoding: .utf8)
    }
}

extension CLIPParameters {
    /// `body` with a pointer to one tensor's values (moved out of the table while in use, so nothing is copied).
    mutating func withGradient(_ role: TensorRole, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        var x = values.removeValue(forKey: role)!
        x.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        values[role] = x
    }

    /// As `withGradient`, two tensors at once.
    mutating func withGradients(_ a: TensorRole, _ b: TensorRole, _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        var x = values.removeValue(forKey: a)!, y = values.removeValue(forKey: b)!
        x.withUnsafeMutableBufferPointer { xs in y.withUnsafeMutableBufferPointer { body(xs.baseAddress!, $0.baseAddress!) } }
        values[a] = x; values[b] = y
    }

    /// `body` with block i's gradients (moved out of the table while in use).
    mutating func withBlockGradients(_ tower: TensorRole.Tower, _ i: Int, _ body: (inout BlockGradients?) -> Void) {
        var block: BlockGradients? = BlockWeights { values.removeValue(forKey: .block(tower, i, $0))! }
        body(&block)
        for part in TensorRole.BlockTensor.allCases { values[.block(tower, i, part)] = block!.tensor(part) }
    }

    /// dinp += the gradient through a layer norm of `weight`; its weight and bias gradients added here.
    mutating func layerNormBackward(_ dinp: inout [Float], _ dout: [Float], _ inp: [Float], _ weight: [Float],
                                    _ weightRole: TensorRole, _ biasRole: TensorRole, rows: Int, cols: Int) {
        withGradients(weightRole, biasRole) { LayerNorm.parameterGradients($0, $1, dout, inp, rows: rows, cols: cols) }
        LayerNorm.backward(&dinp, dout, inp, weight, rows: rows, cols: cols)
    }
}
