import NIOCore

/// serve.md: a body over 1 MiB is 413 "without reading more than 1 MiB + 1 byte". A chunked body
/// has no length to refuse from the head, and NIO reads a readable socket up to
/// `readsPerWakeup` times, 64 KiB each, whatever the handler wants: turning reading off once the
/// body was one byte over still let up to 256 KiB more in. So within `near` bytes of the limit a
/// connection's reads are sized to what is left of the body (at most half of it, so the last
/// byte is never reached inside one wakeup's reads) and one read per wakeup; turned off, at most
/// one byte per remaining read of the wakeup. Raw bytes read are at least the body bytes they
/// carry, so the body read never passes the limit. Everywhere else (every delivery of a normal
/// size) the reads are NIO's adaptive ones, pooled buffers and all.
/// Confined to the connection's event loop (the allocator and the handler run there).
final class BodyReadRoom: @unchecked Sendable {
    /// What NIO may read per wakeup outside the bound.
    static let readsPerWakeup: UInt = 4
    /// Bounded from this far before the limit: two unbounded reads (64 KiB each) cannot cross it.
    static let near = 256 << 10

    /// Body bytes that may still be read; nil: no bound.
    fileprivate(set) var left: Int?

    /// After a body part, `left` bytes before the limit (0: read no more).
    func bodyRead(left: Int, channel: any Channel) {
        guard left <= Self.near else { return }
        if self.left == nil { try? channel.syncOptions?.setOption(ChannelOptions.maxMessagesPerRead, value: 1) }
        self.left = max(0, left)
    }

    /// The request's body is over (or a new one starts): NIO's reads again.
    func reset(channel: any Channel) {
        guard left != nil else { return }
        left = nil
        try? channel.syncOptions?.setOption(ChannelOptions.maxMessagesPerRead, value: Self.readsPerWakeup)
    }
}

/// NIO's adaptive receive allocator, sized by the room while it is bounded.
struct BodyBoundedRecvAllocator: RecvByteBufferAllocator {
    private var adaptive = AdaptiveRecvByteBufferAllocator()
    let room: BodyReadRoom

    init(room: BodyReadRoom) { self.room = room }

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        guard let left = room.left else { return adaptive.buffer(allocator: allocator) }
        return allocator.buffer(capacity: Self.size(left: left))
    }

    /// nil while bounded: NIO's pool then reuses no larger buffer of its own.
    func nextBufferSize() -> Int? { room.left == nil ? adaptive.nextBufferSize() : nil }

    mutating func record(actualReadBytes: Int) -> Bool {
        let grows = adaptive.record(actualReadBytes: actualReadBytes)
        // "May grow" makes the pool take a fresh buffer from `buffer(allocator:)`, at the room's size.
        return room.left == nil ? grows : true
    }

    /// The largest power of two at most half of `left`, at least 1 (ByteBuffer rounds a capacity
    /// up to a power of two: any other size would read more).
    static func size(left: Int) -> Int {
        let half = left / 2
        guard half > 1 else { return 1 }
        return 1 << (Int.bitWidth - 1 - half.leadingZeroBitCount)
    }
}
