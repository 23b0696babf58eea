// The one table from OpenCLIP's state-dict names to the parts of our model (docs/method-notes.md section 1).
// `{i}` stands for a block number. Every name a checkpoint holds must match a row or be listed as
// ignored; every row must be present with the shape the architecture implies.

enum TensorRole: Hashable {
    case patchEmbedding, classEmbedding, visionPositional, lnPreWeight, lnPreBias, lnPostWeight, lnPostBias, visionProjection
    case tokenEmbedding, textPositional, lnFinalWeight, lnFinalBias, textProjection, logitScale
    case block(Tower, Int, BlockTensor)

    enum Tower: Hashable { case vision, text }
    enum BlockTensor: String, CaseIterable, Hashable {
        case ln1Weight, ln1Bias, inProjWeight, inProjBias, outProjWeight, outProjBias
        case ln2Weight, ln2Bias, fcWeight, fcBias, projWeight, projBias
    }
}

enum CheckpointKeys {
    static let topLevel: [(name: String, role: TensorRole)] = [
        ("visual.conv1.weight", .patchEmbedding),
        ("visual.class_embedding", .classEmbedding),
        ("visual.positional_embedding", .visionPositional),
        ("visual.ln_pre.weight", .lnPreWeight), ("visual.ln_pre.bias", .lnPreBias),
        ("visual.ln_post.weight", .lnPostWeight), ("visual.ln_post.bias", .lnPostBias),
        ("visual.proj", .visionProjection),
        ("token_embedding.weight", .tokenEmbedding),
        ("positional_embedding", .textPositional),
        ("ln_final.weight", .lnFinalWeight), ("ln_final.bias", .lnFinalBias),
        ("text_projection", .textProjection),
        ("logit_scale", .logitScale),
    ]

    static let blockPrefixes: [(prefix: String, tower: TensorRole.Tower)] = [
        ("visual.transformer.resblocks.", .vision), ("transformer.resblocks.", .text),
    ]

    static let blockSuffixes: [(suffix: String, tensor: TensorRole.BlockTensor)] = [
        ("ln_1.weight", .ln1Weight), ("ln_1.bias", .ln1Bias),
        ("attn.in_proj_weight", .inProjWeight), ("attn.in_proj_bias", .inProjBias),
        ("attn.out_proj.weight", .outProjWeight), ("attn.out_proj.bias", .outProjBias),
        ("ln_2.weight", .ln2Weight), ("ln_2.bias", .ln2Bias),
        ("mlp.c_fc.weight", .fcWeight), ("mlp.c_fc.bias", .fcBias),
        ("mlp.c_proj.weight", .projWeight), ("mlp.c_proj.bias", .projBias),
    ]

    /// Present in some checkpoints, unused by this model, dropped on purpose.
    static let ignored: Set<String> = ["logit_bias", "attn_mask", "visual.attn_mask"]

    static func role(of name: String) -> TensorRole? {
        if let row = topLevel.first(where: { $0.name == name }) { return row.role }
        for (prefix, tower) in blockPrefixes where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { return nil }
            let suffix = rest[rest.index(after: dot)...]
            if let row = blockSuffixes.first(where: { $0.suffix == suffix }) { return .block(tower, index, row.tensor) }
        }
        return nil
    }

    static func name(of role: TensorRole) -> String {
        switch role {
        case .block(let tower, let index, let tensor):
            let prefix = blockPrefixes.first { $0.tower == tower }!.prefix
            return prefix + "\(index)." + blockSuffixes.first { $0.tensor == tensor }!.suffix
        default:
            return topLevel.first { $0.role == role }!.name
        }
    }
}
