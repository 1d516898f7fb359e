import Foundation

/// Runs helper programs (initdb, pg_ctl, psql) for the demo's and the tests' PostgreSQL.
public enum Subprocess {
    public struct Output: Sendable {
        public var status: Int32
        public var text: String
    }

    /// Runs `executable` with `arguments` and waits. Output (stdout and stderr together) goes
    /// to a file, not a pipe, and the child gets no other descriptor of ours: `pg_ctl start`
    /// leaves a daemon behind that would otherwise hold them open — a pipe would never reach
    /// EOF, Foundation's `Process` would never see the exit, and an inherited `flock` lock
    /// would stay held for as long as the server runs. Hence `posix_spawn` with closefrom(3).
    public static func run(_ executable: String, _ arguments: [String], stdinFile: String? = nil) throws -> Output {
        let outPath = NSTemporaryDirectory() + "meshql-proc-\(getpid())-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinFile ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = closeFromAction {
            _ = closeFrom(&actions, 3)
        } else {
            // Older C libraries: close what is open now.
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap({ Int32($0) }) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        }

        // Default signal handling and an empty mask in the child, whatever this process set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw MeshError(.internalError, "cannot run \(executable): \(String(cString: strerror(rc)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw MeshError(.internalError, "waitpid failed for \(executable)") }
        }
        // WIFEXITED / WEXITSTATUS: low 7 bits 0 means a normal exit, the code is in the next byte.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        return Output(status: exitCode, text: String(decoding: data, as: UTF8.self))
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), declared only under
    /// _GNU_SOURCE, which Swift's Glibc module does not define.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    nonisolated(unsafe) private static let closeFromAction: CloseFrom? = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Like `run`, but throws with the program's output when it exits non-zero.
    @discardableResult
    public static func check(_ executable: String, _ arguments: [String], stdinFile: String? = nil,
                      what: String) throws -> String {
        let r = try run(executable, arguments, stdinFile: stdinFile)
        guard r.status == 0 else {
            throw MeshError(.internalError, "\(what) failed (exit \(r.status)):\n\(r.text)")
        }
        return r.text
    }

    /// Finds a program on PATH (plus the sbin directories, where `runuser` lives).
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        for dir in dirs where !dir.isEmpty {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
