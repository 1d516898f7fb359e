#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where rendered results go. Writers call `write` once per row or line and `flush` once per
/// batch, so a sink decides how much to buffer; nothing ever holds a whole result as text.
public protocol OutputSink {
    mutating func write(_ s: String)
    /// UTF-8 text as bytes (what the byte-level writers make), without a `String` between.
    mutating func write(bytes: UnsafeRawBufferPointer)
    /// Hands buffered text to its destination. Sinks that do not buffer need not implement it.
    mutating func flush()
    /// The destination is gone (the user quit the pager): writing more is pointless, and the
    /// statement producing the output can stop.
    var isClosed: Bool { get }
}

extension OutputSink {
    public mutating func write(bytes: UnsafeRawBufferPointer) { write(String(decoding: bytes, as: UTF8.self)) }
    public mutating func flush() {}
    public var isClosed: Bool { false }
}

/// A buffered sink over a file descriptor (standard output, standard error or a file).
///
/// It buffers up to `capacity` bytes, then writes them with `write(2)`; call `flush()` before
/// anything else writes to the same descriptor and at the end. Write errors (a closed pipe)
/// drop the output silently, like `print` does.
public struct FileDescriptorSink: OutputSink {
    public let fileDescriptor: Int32
    public let capacity: Int
    private var buffer: [UInt8] = []

    public init(fileDescriptor: Int32, capacity: Int = 64 * 1024) {
        self.fileDescriptor = fileDescriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    /// Standard output, buffered.
    public static var standardOutput: FileDescriptorSink { FileDescriptorSink(fileDescriptor: 1) }
    /// Standard error, buffered; flush after each message.
    public static var standardError: FileDescriptorSink { FileDescriptorSink(fileDescriptor: 2, capacity: 4096) }

    public mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= capacity { flush() }
    }

    public mutating func write(bytes: UnsafeRawBufferPointer) {
        // A large chunk goes out as it is, without a copy through the buffer.
        if bytes.count >= capacity {
            flush()
            writeAll(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    public mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            #if canImport(Glibc)
            let n = Glibc.write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
            #else
            let n = Darwin.write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
            #endif
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
    }
}

/// Collects output in memory (tests, the HTTP layer's small results).
public struct StringSink: OutputSink {
    public var text: String = ""

    public init() {}

    public mutating func write(_ s: String) { text += s }
}
