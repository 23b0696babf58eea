// A figure: something that draws itself on a Canvas at a fixed size, written as SVG, PNG or PDF.
import CCairo
import Foundation

public protocol Drawing: Sendable {
    /// Size in points (1/72 inch; one CSS pixel in SVG).
    var size: (width: Double, height: Double) { get }
    func draw(on canvas: Canvas)
}

public enum FigureFormat: String, Sendable, CaseIterable {
    case svg, png, pdf
}

public struct FigureError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

public enum FigureWriter {
    /// Writes `drawing` to `path` (format from `format` or the extension) through a temporary file,
    /// so a failed write never leaves a half-written figure. PNG is rendered at `scale` pixels per point.
    public static func write(_ drawing: Drawing, to path: String, format: FigureFormat? = nil, scale: Double = 2) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = format ?? FigureFormat(rawValue: ext) else {
            throw FigureError(path: path, reason: "unknown figure format '.\(ext)' (use .svg, .png or .pdf)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(UUID().uuidString).\(format.rawValue).part"
        let (w, h) = drawing.size
        let surface: OpaquePointer?
        switch format {
        case .svg:
            surface = cairo_svg_surface_create(temporary, w, h)
            // Pixels, not points: the browser then shows the chart at its design size.
            if let surface { cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX) }
        case .pdf: surface = cairo_pdf_surface_create(temporary, w, h)
        case .png: surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32((w * scale).rounded()), Int32((h * scale).rounded()))
        }
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FigureError(path: path, reason: "could not create the \(format.rawValue) surface")
        }
        let cr = cairo_create(surface)!
        if format == .png { cairo_scale(cr, scale, scale) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        drawing.draw(on: Canvas(context: cr))
        cairo_destroy(cr)
        var status = cairo_surface_status(surface)
        if format == .png, status == CAIRO_STATUS_SUCCESS {
            status = cairo_surface_write_to_png(surface, temporary)
        }
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FigureError(path: path, reason: "cairo: \(String(cString: cairo_status_to_string(status)))")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw FigureError(path: path, reason: "could not move the figure into place: \(reason)")
        }
    }
}
