// open_clip's names for the ViT architectures a checkpoint's shapes can be matched to (`report weights info`),
// and the paper's model as a configuration (to build a random copy for timings).
public enum OpenCLIPArchitectures {
    /// open_clip's ViT-B-16-plus-240, the paper's model: 240 px, patch 16, width 896, 12 blocks of 14 heads;
    /// text 640 wide, 12 blocks of 10 heads, context 77; embedding 640, GELU.
    public static let vitB16Plus240 = vit(image: 240, patch: 16, width: 896, layers: 12, textWidth: 640, embed: 640)

    /// Name and configuration (activation GELU; OpenAI's own checkpoints of the ViT-B and ViT-L shapes use QuickGELU).
    public static let all: [(name: String, configuration: CLIPConfiguration)] = [
        ("ViT-B-32", vit(image: 224, patch: 32, width: 768, layers: 12, textWidth: 512, embed: 512)),
        ("ViT-B-16", vit(image: 224, patch: 16, width: 768, layers: 12, textWidth: 512, embed: 512)),
        ("ViT-B-16-plus", vit(image: 224, patch: 16, width: 896, layers: 12, textWidth: 640, embed: 640)),
        ("ViT-B-16-plus-240", vitB16Plus240),
        ("ViT-L-14", vit(image: 224, patch: 14, width: 1024, layers: 24, textWidth: 768, embed: 768)),
        ("ViT-L-14-336", vit(image: 336, patch: 14, width: 1024, layers: 24, textWidth: 768, embed: 768)),
    ]

    /// open_clip's name for these shapes (sizes, widths, depths and embedding; not the activation, which shapes cannot tell).
    public static func name(of c: CLIPConfiguration) -> String? {
        all.first { _, known in known.vision == c.vision && known.text == c.text && known.embedDimension == c.embedDimension }?.name
    }

    static func vit(image: Int, patch: Int, width: Int, layers: Int, textWidth: Int, embed: Int) -> CLIPConfiguration {
        CLIPConfiguration(
            vision: .init(imageHeight: image, imageWidth: image, patchSize: patch, width: width, layers: layers,
                          heads: width / CLIPConfiguration.defaultHeadWidth, mlpWidth: 4 * width),
            text: .init(contextLength: 77, vocabularySize: 49408, width: textWidth, layers: 12,
                        heads: textWidth / CLIPConfiguration.defaultHeadWidth, mlpWidth: 4 * textWidth),
            embedDimension: embed, activation: .gelu)
    }
}
