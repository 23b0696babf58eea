// swift-tools-version: 6.0
import PackageDescription

// The engine runs optimised even in a debug build (`swift run`): numeric loops in -Onone
// are 10-50x slower, which would make the default report unusable. Swift 5 mode: its loops
// share raw buffers across cores by design, which Swift 6's Sendable checking cannot express.
let optimisedEvenInDebug: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .swiftLanguageMode(.v5),
]

// Chapters' compile errors quote the offending line itself (the chapter's text), not an excerpt of the generated file.
let chapterSettings: [SwiftSetting] = [.swiftLanguageMode(.v5), .unsafeFlags(["-diagnostic-style=llvm"])]

let package = Package(
    name: "DevPromptReport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "report", targets: ["Report"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System libraries, found through pkg-config; scripts/bootstrap installs the apt packages.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CPango", path: "Sources/CPango", pkgConfig: "pangocairo",
                       providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(name: "CCmarkGFM", path: "Sources/CCmarkGFM", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        // libjpeg-turbo through its TurboJPEG API, which reports errors by return code (no longjmp).
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSystemZlib", path: "Sources/CSystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libpng reports errors by longjmp, which Swift cannot catch: a few lines of C hold the setjmp.
        .target(name: "CPNGCodec", dependencies: ["CPNG"]),
        // The element-wise loops, compiled per instruction set and picked by the CPU at load time.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),

        // The numerical engine: tensors on OpenBLAS, image codecs, CLIP, the detectors, data, metrics, caches.
        .target(name: "Engine", dependencies: ["CBLAS", "CJPEG", "CPNGCodec", "CKernels", "CSystemZlib", .product(name: "SwiftCSV", package: "SwiftCSV"),
                                               .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                                             .product(name: "Crypto", package: "swift-crypto")],
                resources: [.copy("Resources/bpe_simple_vocab_16e6.txt.gz"),
                            .copy("Resources/LICENSE-OpenAI-CLIP-MIT.txt")],
                swiftSettings: optimisedEvenInDebug),
        // Charts and image plates drawn with Cairo, text laid out by Pango.
        .target(name: "Figures", dependencies: ["CCairo", "CPango", "CJPEG"], swiftSettings: optimisedEvenInDebug),
        // The chapter document model: front matter, Markdown blocks, Swift cells and their options.
        .target(name: "Notebook", dependencies: ["CCmarkGFM", .product(name: "Yams", package: "Yams")]),
        .target(name: "CStdio"),
        // The report generator: cell runtime, HTML site, the build/list/clean/preview commands, the workspace.
        .target(name: "ReportKit", dependencies: [
            "Notebook", "Figures", "Engine", "CStdio",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
        ], plugins: ["EngineFingerprint"]),
        // The engine's commands (eval, detect, embed, data, bench, pretrain, compare), apart from the generator's.
        .target(name: "EngineCommands", dependencies: [
            "ReportKit", "Engine", "Figures", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The chapters themselves: the plugin compiles each Chapters/*.md into Swift.
        .target(name: "Chapters", dependencies: ["ReportKit", "Engine", "Figures"], path: "Chapters", exclude: ["references.bib"],
                swiftSettings: chapterSettings, plugins: ["ChapterCells"]),
        .executableTarget(name: "ChapterCompiler", dependencies: ["Notebook"]),
        .plugin(name: "ChapterCells", capability: .buildTool(), dependencies: ["ChapterCompiler"]),
        .plugin(name: "EngineFingerprint", capability: .buildTool(), dependencies: ["ChapterCompiler"]),
        .executableTarget(name: "Report", dependencies: ["ReportKit", "EngineCommands", "Chapters"]),

        // Crafted inputs shared by the test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        // Chapters that exercise the generator (errors, crashes, escaping), and a `report` built over them.
        .target(name: "FixtureChapters", dependencies: ["ReportKit", "Engine", "Figures"], path: "Tests/Fixtures/FixtureChapters", exclude: ["references.bib"],
                swiftSettings: chapterSettings, plugins: ["ChapterCells"]),
        .executableTarget(name: "ReportFixtures", dependencies: ["ReportKit", "FixtureChapters"], path: "Tests/Fixtures/ReportFixtures"),
        .testTarget(name: "ReportKitTests", dependencies: ["ReportKit", "Chapters", "ReportFixtures", "TestSupport"]),
    ]
)
