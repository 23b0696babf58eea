// A raster's JPEG, attached to its Cairo surface: the PDF surface then embeds it as is (DCTDecode) instead of a
// Flate-compressed copy of every pixel, which for photographs of parts is five times larger. PNG output ignores it.
import CCairo
import CJPEG

enum RasterJPEG {
    /// Quality 92 with full-resolution colour (4:4:4), so a heatmap's sharp cell edges keep their colours.
    static let quality: Int32 = 92

    /// Attaches the JPEG of `rgb` (8-bit, (h, w, 3) row-major) to `surface`; on an encoder failure the surface stays as it was.
    static func attach(_ rgb: [UInt8], width: Int, height: Int, to surface: OpaquePointer) {
        guard let encoder = tjInitCompress() else { return }
        defer { tjDestroy(encoder) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = rgb.withUnsafeBufferPointer {
            tjCompress2(encoder, $0.baseAddress, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &buffer, &size,
                        Int32(TJSAMP_444.rawValue), quality, TJFLAG_ACCURATEDCT)
        }
        guard status == 0, let buffer else { tjFree(buffer); return }
        // Cairo owns the buffer from here and frees it with the surface.
        let attached = cairo_surface_set_mime_data(surface, CAIRO_MIME_TYPE_JPEG, buffer, UInt(size), { tjFree($0?.assumingMemoryBound(to: UInt8.self)) }, buffer)
        if attached != CAIRO_STATUS_SUCCESS { tjFree(buffer) }
    }
}
