// What the preview tells open pages: the site's generation (it grows with each good build), whether a
// build is running, and the last failure's message; each page's WebSocket gets every change.
import FlyingFox
import Foundation

final class PreviewState: @unchecked Sendable {
    enum Phase: String, Codable { case building, ok, failed }

    struct Snapshot: Codable, Equatable {
        var generation: Int
        var state: Phase
        /// Why the last build failed (its problem lines or the compiler's errors); empty otherwise.
        var message: String
    }

    private let lock = NSLock()
    private var snapshot = Snapshot(generation: 0, state: .building, message: "")
    private var listeners: [UUID: AsyncStream<WSMessage>.Continuation] = [:]

    var current: Snapshot { lock.lock(); defer { lock.unlock() }; return snapshot }

    func building() { update { $0.state = .building } }
    func built() { update { $0.generation += 1; $0.state = .ok; $0.message = "" } }
    func failed(_ message: String) { update { $0.state = .failed; $0.message = message } }

    /// A page's channel: it hears the state now, then every change.
    func subscribe(_ continuation: AsyncStream<WSMessage>.Continuation) -> UUID {
        let id = UUID()
        lock.lock(); listeners[id] = continuation; let now = snapshot; lock.unlock()
        continuation.yield(.text(Self.json(now)))
        return id
    }

    func unsubscribe(_ id: UUID) { lock.lock(); listeners[id] = nil; lock.unlock() }

    private func update(_ change: (inout Snapshot) -> Void) {
        lock.lock()
        change(&snapshot)
        let now = snapshot, targets = Array(listeners.values)
        lock.unlock()
        for listener in targets { listener.yield(.text(Self.json(now))) }
    }

    static func json(_ snapshot: Snapshot) -> String {
        String(decoding: (try? JSONEncoder().encode(snapshot)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// A page's WebSocket: the preview's state as JSON text messages; what the page sends is ignored.
struct ReloadChannel: WSMessageHandler {
    let state: PreviewState

    func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let (messages, continuation) = AsyncStream<WSMessage>.makeStream()
        let id = state.subscribe(continuation)
        Task {
            for await _ in client {}
            state.unsubscribe(id)
            continuation.finish()
        }
        return messages
    }
}
