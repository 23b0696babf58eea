import Foundation

/// The MLP's non-linearity: GELU (erf form, OpenCLIP's ViT-B-16-plus-240) or QuickGELU (OpenAI checkpoints).
public enum Activation: String, Codable, Sendable, CaseIterable {
    case gelu
    case quickGELU = "quick_gelu"

    /// x = act(x + bias), in place over (rows, cols).
    @inlinable
    public func forwardAddingBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        Elementwise.addBiasActivation(x, bias, rows: rows, cols: cols, quick: self == .quickGELU)
    }

    /// out = act(u) over `count` values, u kept.
    @inlinable
    public func forward(_ out: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count: Int) {
        Elementwise.activation(out, u, count: count, quick: self == .quickGELU)
    }

    /// du = dg act'(u) over `count` values.
    @inlinable
    public func backward(_ du: UnsafeMutablePointer<Float>, _ dg: UnsafePointer<Float>, _ u: UnsafePointer<Float>, count: Int) {
        Elementwise.activationBackward(du, dg, u, count: count, quick: self == .quickGELU)
    }
}
