// A thin drawing surface over a Cairo context, with text laid out by Pango in DejaVu Sans.
import CCairo
import CPango

public final class Canvas {
    let cr: OpaquePointer

    init(context: OpaquePointer) { self.cr = context }

    public enum Alignment: Sendable { case left, center, right }
    public enum Baseline: Sendable { case top, middle, bottom }

    /// The figures' one font family, so every chart looks alike.
    public static let fontFamily = "DejaVu Sans"

    public func fill(rect x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: Color) {
        setColor(color)
        cairo_rectangle(cr, x, y, w, h)
        cairo_fill(cr)
    }

    public func stroke(rect x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: Color, width: Double = 1) {
        setColor(color)
        cairo_set_line_width(cr, width)
        cairo_rectangle(cr, x, y, w, h)
        cairo_stroke(cr)
    }

    public func line(from a: (Double, Double), to b: (Double, Double), _ color: Color, width: Double = 1, dash: [Double] = []) {
        polyline([a, b], color, width: width, dash: dash)
    }

    public func polyline(_ points: [(Double, Double)], _ color: Color, width: Double = 1, dash: [Double] = []) {
        guard let first = points.first else { return }
        setColor(color)
        cairo_set_line_width(cr, width)
        cairo_set_dash(cr, dash, Int32(dash.count), 0)
        cairo_move_to(cr, first.0, first.1)
        for p in points.dropFirst() { cairo_line_to(cr, p.0, p.1) }
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    public func fill(polygon points: [(Double, Double)], _ color: Color) {
        guard let first = points.first else { return }
        setColor(color)
        cairo_move_to(cr, first.0, first.1)
        for p in points.dropFirst() { cairo_line_to(cr, p.0, p.1) }
        cairo_close_path(cr)
        cairo_fill(cr)
    }

    public func circle(center: (Double, Double), radius: Double, fill color: Color) {
        setColor(color)
        cairo_arc(cr, center.0, center.1, radius, 0, 2 * Double.pi)
        cairo_fill(cr)
    }

    /// Size of `text` at `size` points, as it would be drawn.
    public func measure(_ text: String, size: Double, bold: Bool = false) -> (width: Double, height: Double) {
        let layout = makeLayout(text, size: size, bold: bold)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        return (Double(w) / Double(PANGO_SCALE), Double(h) / Double(PANGO_SCALE))
    }

    /// Draws `text` anchored at (x, y); `rotation` in degrees, counter-clockwise, about the anchor.
    public func text(_ text: String, at x: Double, _ y: Double, size: Double, color: Color = .text,
                     bold: Bool = false, align: Alignment = .left, baseline: Baseline = .top, rotation: Double = 0) {
        let layout = makeLayout(text, size: size, bold: bold)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        let width = Double(w) / Double(PANGO_SCALE), height = Double(h) / Double(PANGO_SCALE)
        let dx: Double = align == .left ? 0 : (align == .center ? -width / 2 : -width)
        let dy: Double = baseline == .top ? 0 : (baseline == .middle ? -height / 2 : -height)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if rotation != 0 { cairo_rotate(cr, -rotation * Double.pi / 180) }
        cairo_move_to(cr, dx, dy)
        setColor(color)
        pango_cairo_update_layout(cr, layout)
        pango_cairo_show_layout(cr, layout)
        cairo_restore(cr)
    }

    /// Paints an RGB raster (values in [0, 1], (h, w, 3) row-major) into the rectangle.
    public func raster(_ rgb: [Float], width: Int, height: Int, into x: Double, _ y: Double, _ w: Double, _ h: Double,
                       smooth: Bool = false) {
        precondition(rgb.count == width * height * 3, "raster: \(rgb.count) samples for \(width)x\(height)x3")
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else { return }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        let bytes = rgb.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        for row in 0..<height {
            let line = (data + row * stride).withMemoryRebound(to: UInt32.self, capacity: width) { $0 }
            for col in 0..<width {
                let i = (row * width + col) * 3
                line[col] = (UInt32(bytes[i]) << 16) | (UInt32(bytes[i + 1]) << 8) | UInt32(bytes[i + 2])
            }
        }
        cairo_surface_mark_dirty(surface)
        // Only a PDF embeds the JPEG; a PNG or SVG figure would encode it for nothing.
        let vector = cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_PDF
        if vector { RasterJPEG.attach(bytes, width: width, height: height, to: surface) }
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, w / Double(width), h / Double(height))
        cairo_set_source_surface(cr, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST)
        // Repeat the edge pixels outward, so smoothing does not fade the borders to transparent; a PDF viewer
        // interpolates without fading, and a padded source would stop Cairo embedding the JPEG as it is.
        cairo_pattern_set_extend(cairo_get_source(cr), vector ? CAIRO_EXTEND_NONE : CAIRO_EXTEND_PAD)
        cairo_rectangle(cr, 0, 0, Double(width), Double(height))
        cairo_clip(cr)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    private func setColor(_ c: Color) {
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
    }

    private func makeLayout(_ text: String, size: Double, bold: Bool) -> OpaquePointer {
        let layout = pango_cairo_create_layout(cr)!
        let font = pango_font_description_new()!
        pango_font_description_set_family(font, Canvas.fontFamily)
        pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, font)
        pango_font_description_free(font)
        pango_layout_set_text(layout, text, -1)
        return layout
    }
}
