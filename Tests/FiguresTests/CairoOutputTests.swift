import CCairo
import Figures
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A drawing with known pixels: a red square on white, and a line of text.
struct Probe: Drawing {
    var size: (width: Double, height: Double) { (80, 50) }
    func draw(on canvas: Canvas) {
        canvas.fill(rect: 10, 10, 20, 20, Color(red: 1, green: 0, blue: 0))
        canvas.text("AUROC", at: 40, 10, size: 12)
    }
}

@Suite struct CairoOutputTests {
    func temporaryFile(_ ext: String) -> String {
        NSTemporaryDirectory() + "figure-\(UUID().uuidString).\(ext)"
    }

    @Test func pngIsWrittenAndReadsBackWithTheDrawnPixels() throws {
        let path = temporaryFile("png")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FigureWriter.write(Probe(), to: path, scale: 2)
        let surface = try #require(cairo_image_surface_create_from_png(path))
        defer { cairo_surface_destroy(surface) }
        #expect(cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
        #expect(cairo_image_surface_get_width(surface) == 160 && cairo_image_surface_get_height(surface) == 100)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = try #require(cairo_image_surface_get_data(surface))
        func pixel(_ x: Int, _ y: Int) -> UInt32 {
            (data + y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee } & 0x00FF_FFFF
        }
        #expect(pixel(40, 40) == 0xFF0000, "inside the red square")
        #expect(pixel(4, 4) == 0xFFFFFF, "white background")
        // The text (points 40-80 x 10-25, so pixels 80-160 x 20-50) put dark pixels on the page.
        var dark = 0
        for y in 20..<50 { for x in 80..<160 where pixel(x, y) & 0xFF < 100 { dark += 1 } }
        #expect(dark > 30, "text drew \(dark) dark pixels")
    }

    @Test func pdfIsAWholePDFWithTheRequestedPageSize() throws {
        let path = temporaryFile("pdf")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FigureWriter.write(Probe(), to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1."))
        #expect(text.contains("%%EOF"))
        #expect(text.contains("/MediaBox [ 0 0 80 50 ]"))
    }

    /// A noisy raster, as photographs of parts are.
    struct Photo: Drawing {
        var size: (width: Double, height: Double) { (64, 64) }
        func draw(on canvas: Canvas) {
            var state: UInt32 = 7
            let rgb = (0..<(64 * 64 * 3)).map { _ -> Float in state = state &* 1_664_525 &+ 1_013_904_223; return Float(state >> 8) / Float(1 << 24) }
            canvas.raster(rgb, width: 64, height: 64, into: 0, 0, 64, 64)
        }
    }

    @Test func aPDFEmbedsARasterAsJPEGAndOtherFormatsDoNot() throws {
        let pdf = temporaryFile("pdf"), svg = temporaryFile("svg")
        defer { try? FileManager.default.removeItem(atPath: pdf); try? FileManager.default.removeItem(atPath: svg) }
        try FigureWriter.write(Photo(), to: pdf)
        try FigureWriter.write(Photo(), to: svg)
        let pdfText = String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)), as: UTF8.self)
        #expect(pdfText.contains("/DCTDecode"), "the raster's JPEG, embedded as it is")
        #expect(!(try String(contentsOf: URL(fileURLWithPath: svg), encoding: .utf8)).contains("image/jpeg"), "the SVG keeps its lossless PNG")
    }

    @Test func svgIsWellFormedXMLWithTheRequestedSize() throws {
        let path = temporaryFile("svg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FigureWriter.write(Probe(), to: path)
        final class RootReader: NSObject, XMLParserDelegate {
            var root: (String, [String: String])?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
                if root == nil { root = (name, attributes) }
            }
        }
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        let reader = RootReader()
        parser.delegate = reader
        #expect(parser.parse(), "SVG is not well-formed: \(String(describing: parser.parserError))")
        #expect(reader.root?.0 == "svg")
        #expect(reader.root?.1["width"] == "80px")
        #expect(reader.root?.1["height"] == "50px")
    }

    @Test func unknownFormatIsAnErrorAndLeavesNoFile() throws {
        let path = temporaryFile("gif")
        #expect(throws: FigureError.self) { try FigureWriter.write(Probe(), to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
