// Numbers from the papers, 1-shot, in %: the report sets them beside its own measurements, always in
// columns and bars labelled published, never as its own. Copied from the papers' tables (sources below).
import Engine

public enum PublishedResults {
    /// Where a published number comes from.
    public static let devPromptTables = "DevPrompt paper, Tables 1 (MVTec AD) and 2 (VisA)"
    public static let winCLIPPaper = "WinCLIP paper (PatchCore 1-shot over 5 seeds, WinCLIP, WinCLIP+)"
    public static let promptADPaper = "PromptAD paper, as quoted by later papers"

    /// Per-class pixel AUROC of the DevPrompt paper's Tables 1 and 2, by dataset, class and method.
    /// Its "WinCLIP" column is a 1-shot column: the per-class values average to WinCLIP+'s 1-shot mean, not WinCLIP's zero-shot one.
    public static func pixelAUROC(_ dataset: DatasetKind, _ className: String, _ method: DetectionMethod) -> Double? {
        let column: Int
        switch method {
        case .winclipPlus: column = 0
        case .promptad: column = 1
        case .devprompt: column = 2
        default: return nil
        }
        switch dataset {
        case .mvtec: return mvtec[className]?[column]
        case .visa: return visa[className]?[column]
        default: return nil
        }
    }

    /// The classes the paper's table lists for a dataset (none for others).
    public static func classes(_ dataset: DatasetKind) -> [String] {
        (dataset == .mvtec ? mvtec : dataset == .visa ? visa : [:]).keys.sorted()
    }

    /// Per-class rows: WinCLIP (1-shot, as the paper's column is headed), PromptAD, DevPrompt.
    static let mvtec: [String: [Double]] = [
        "bottle": [96.8, 97.31, 97.28], "cable": [93.6, 94.10, 93.79], "capsule": [96.04, 95.60, 96.25],
        "carpet": [99.1, 99.54, 99.54], "grid": [96.3, 97.99, 97.97], "hazelnut": [97.76, 98.21, 98.27],
        "leather": [99.2, 99.34, 99.36], "metal_nut": [89.5, 91.65, 92.67], "pill": [93.8, 93.63, 95.26],
        "screw": [95.9, 95.19, 94.11], "tile": [95.7, 96.05, 96.06], "toothbrush": [97, 98.63, 98.67],
        "transistor": [84.3, 85.65, 85.66], "wood": [94.8, 95.44, 95.29], "zipper": [91.4, 90.77, 92.04],
    ]
    static let visa: [String: [Double]] = [
        "candle": [94.53, 94.65, 94.69], "capsules": [95.9, 94.01, 94.01], "cashew": [97.9, 98.85, 98.88],
        "chewinggum": [99, 99.24, 99.25], "fryum": [95.33, 95.58, 95.63], "macaroni1": [96.8, 97.81, 97.73],
        "macaroni2": [94.87, 95.39, 95.49], "pcb1": [95.31, 95.72, 95.83], "pcb2": [93.04, 94.30, 93.34],
        "pcb3": [94.34, 94.66, 94.65], "pcb4": [95.3, 94.62, 94.49], "pipe_fryum": [98.92, 99.16, 99.19],
    ]

    /// Means over each dataset's classes, image and pixel AUROC, as published for the baselines (the DevPrompt
    /// paper gives per-class pixel AUROC only; its Figure 2's bars are those tables' means).
    public static func mean(_ dataset: DatasetKind, _ method: DetectionMethod) -> (image: Double?, pixel: Double?, source: String)? {
        let table: [String: [Double]]
        switch dataset {
        case .mvtec: table = mvtec
        case .visa: table = visa
        default: return nil
        }
        switch method {
        case .memory: return dataset == .mvtec ? (83.4, 92.0, winCLIPPaper) : (79.9, 95.4, winCLIPPaper)
        case .winclip: return dataset == .mvtec ? (91.8, 85.1, winCLIPPaper) : (78.1, 79.6, winCLIPPaper)
        case .winclipPlus: return dataset == .mvtec ? (93.1, 95.2, winCLIPPaper) : (83.8, 96.4, winCLIPPaper)
        case .promptad: return dataset == .mvtec ? (94.6, 95.9, promptADPaper) : (86.9, 96.7, promptADPaper)
        case .devprompt:
            let values = table.values.map { $0[2] }
            return (nil, values.reduce(0, +) / Double(values.count), devPromptTables + " (the mean of its per-class values)")
        }
    }

    /// The mean of the DevPrompt paper's "WinCLIP" column over a dataset's classes.
    public static func devPromptWinCLIPColumnMean(_ dataset: DatasetKind) -> Double? {
        let table = dataset == .mvtec ? mvtec : dataset == .visa ? visa : [:]
        guard !table.isEmpty else { return nil }
        return table.values.map { $0[0] }.reduce(0, +) / Double(table.count)
    }
}
