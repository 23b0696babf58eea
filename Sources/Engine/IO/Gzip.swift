// gzip decompression through zlib (the BPE vocabulary ships gzipped, as open_clip ships it).
import CSystemZlib  // named apart from ZIPFoundation's own CZlib module
import Foundation

public enum Gzip {
    public static func decompress(_ data: Data, name: String) throws -> Data {
        var stream = z_stream()
        // 15 + 16: a gzip header and trailer around the deflate stream.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw EngineError.corrupt(name, "cannot start the gzip decoder")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw EngineError.corrupt(name, "gzip data is damaged (zlib status \(status))")
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && stream.avail_in == 0 && produced == 0 {
                    throw EngineError.corrupt(name, "gzip data is truncated")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
