// Scratch memory a layer writes through a pointer: allocated once, grown when a larger batch needs it,
// never copied (a class, so no copy-on-write and no closure to reach its address).
import Foundation

final class FloatBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ count: Int = 0) {
        capacity = max(count, 1)
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: 0, count: capacity)
    }

    deinit { pointer.deallocate() }

    /// Room for `count` floats; the contents are kept only while no growth happens.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: 0, count: count)
        }
        return pointer
    }

    /// `count` values copied in from `source`.
    func copy(from source: UnsafePointer<Float>, count: Int) { memcpy(reserve(count), source, count * 4) }
}
