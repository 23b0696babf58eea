// Files every page needs: the stylesheet, KaTeX (from Debian's libjs-katex) and the script that typesets math.
import Engine
import Foundation

enum SiteAssets {
    /// Where Debian's libjs-katex puts KaTeX; scripts/bootstrap installs it.
    static let katexDirectory = URL(fileURLWithPath: "/usr/share/javascript/katex")

    static func write(into site: URL) throws {
        let assets = site.appendingPathComponent("assets")
        try AtomicFile.write(SiteLayout.stylesheet, to: assets.appendingPathComponent("style.css"))
        try AtomicFile.write(script, to: assets.appendingPathComponent("report.js"))
        try copyKaTeX(to: assets.appendingPathComponent("katex"))
    }

    static func copyKaTeX(to destination: URL) throws {
        let fm = FileManager.default
        let sources = ["katex.min.js", "katex.min.css"].map { katexDirectory.appendingPathComponent($0) }
        let fonts = katexDirectory.appendingPathComponent("fonts").resolvingSymlinksInPath()
        guard sources.allSatisfy({ fm.fileExists(atPath: $0.path) }),
              let fontFiles = try? fm.contentsOfDirectory(atPath: fonts.path) else {
            throw ReportError("\(katexDirectory.path): KaTeX is missing, so math cannot be typeset: run scripts/bootstrap (installs libjs-katex)")
        }
        try fm.createDirectory(at: destination.appendingPathComponent("fonts"), withIntermediateDirectories: true)
        for source in sources {
            try fm.copyItem(at: source.resolvingSymlinksInPath(), to: destination.appendingPathComponent(source.lastPathComponent))
        }
        for font in fontFiles where font.hasSuffix(".woff2") || font.hasSuffix(".woff") || font.hasSuffix(".ttf") {
            try fm.copyItem(at: fonts.appendingPathComponent(font), to: destination.appendingPathComponent("fonts/\(font)"))
        }
    }

    /// Typesets every .math element; a formula KaTeX cannot parse is shown in red with the reason.
    static let script = """
    document.addEventListener("DOMContentLoaded", function () {
      if (typeof katex === "undefined") { return; }
      document.querySelectorAll(".math").forEach(function (el) {
        katex.render(el.textContent, el, { displayMode: el.classList.contains("display"), throwOnError: false });
      });
    });

    """
}
