// One transformer block's twelve tensors, in OpenCLIP's ResidualAttentionBlock layout; the same
// layout holds their gradients.
import Foundation

struct BlockWeights {
    var ln1Weight, ln1Bias, inProjWeight, inProjBias, outProjWeight, outProjBias: [Float]
    var ln2Weight, ln2Bias, fcWeight, fcBias, projWeight, projBias: [Float]

    init(_ tensor: (TensorRole.BlockTensor) -> [Float]) {
        ln1Weight = tensor(.ln1Weight); ln1Bias = tensor(.ln1Bias); inProjWeight = tensor(.inProjWeight); inProjBias = tensor(.inProjBias)
        outProjWeight = tensor(.outProjWeight); outProjBias = tensor(.outProjBias); ln2Weight = tensor(.ln2Weight); ln2Bias = tensor(.ln2Bias)
        fcWeight = tensor(.fcWeight); fcBias = tensor(.fcBias); projWeight = tensor(.projWeight); projBias = tensor(.projBias)
    }

    init(_ weights: CLIPWeights, _ tower: TensorRole.Tower, _ i: Int) {
        self.init { weights.tensor(.block(tower, i, $0)) }
    }

    static func path(_ part: TensorRole.BlockTensor) -> WritableKeyPath<BlockWeights, [Float]> {
        switch part {
        case .ln1Weight: return \.ln1Weight
        case .ln1Bias: return \.ln1Bias
        case .inProjWeight: return \.inProjWeight
        case .inProjBias: return \.inProjBias
        case .outProjWeight: return \.outProjWeight
        case .outProjBias: return \.outProjBias
        case .ln2Weight: return \.ln2Weight
        case .ln2Bias: return \.ln2Bias
        case .fcWeight: return \.fcWeight
        case .fcBias: return \.fcBias
        case .projWeight: return \.projWeight
        case .projBias: return \.projBias
        }
    }

    func tensor(_ part: TensorRole.BlockTensor) -> [Float] { self[keyPath: Self.path(part)] }
}

/// A block's weight gradients, in BlockWeights' layout.
typealias BlockGradients = BlockWeights
