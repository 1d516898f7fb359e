/// Decides what Tab offers: reads the text before the cursor to tell whether the word follows
/// `mesh.` or `mesh.product.` (or an alias), asks the backend for names, adds keywords, and
/// keeps the candidates that start with the typed word, ignoring case.
struct CompletionProvider: Sendable {
    let backend: any ShellBackend

    static let metaCommands = ["\\?", "\\q", "\\dm", "\\dp", "\\d", "\\lineage", "\\history", "\\timing", "\\x"]

    /// - Parameters:
    ///   - pendingInput: earlier lines of the statement being typed.
    ///   - line: the whole current line.
    ///   - linePrefix: the current line up to the start of the word.
    ///   - word: the partial word (may be empty).
    func candidates(pendingInput: String, line: String, linePrefix: String, word: String) -> [String] {
        if word.hasPrefix("\\") {
            return filter(Self.metaCommands, prefix: word)
        }
        let prefixTokens = IdentifierScanner.tokens(linePrefix)
        let context = self.context(prefixTokens: prefixTokens, fullText: pendingInput + "\n" + line)
        var words = backend.completionWords(context: context)
        if case .word = context {
            let upper = word.contains(where: \.isLetter) && !word.contains(where: \.isLowercase)
            words += SQLKeywords.all.map { upper ? $0.uppercased() : $0 }
        }
        return filter(words, prefix: word)
    }

    func context(prefixTokens: [IdentifierScanner.Token], fullText: String) -> CompletionContext {
        let meshes = backend.meshNames()
        let current = backend.promptMesh
        // `… a.b.` / `… a.` right before the word.
        if prefixTokens.last == .dot, prefixTokens.count >= 2, case .name(let q) = prefixTokens[prefixTokens.count - 2] {
            if prefixTokens.count >= 4, prefixTokens[prefixTokens.count - 3] == .dot,
               case .name(let mesh) = prefixTokens[prefixTokens.count - 4] {
                return .column(mesh: Self.match(mesh, in: meshes) ?? mesh, product: q)
            }
            if let mesh = Self.match(q, in: meshes) { return .product(mesh: mesh) }
            let refs = references(in: IdentifierScanner.tokens(fullText), meshes: meshes, current: current)
            if let ref = refs.aliases[q] ?? refs.aliases[q.lowercased()] {
                return .column(mesh: ref.mesh, product: ref.product)
            }
            if let current { return .column(mesh: current, product: q) }
            return .word(currentMesh: current, mentioned: refs.products)
        }
        let refs = references(in: IdentifierScanner.tokens(fullText), meshes: meshes, current: current)
        return .word(currentMesh: current, mentioned: refs.products)
    }

    /// The products a statement names (`mesh.product`, or a product of the current mesh) and
    /// the aliases given to them (`FROM sales.orders o`, `… AS o`).
    func references(
        in tokens: [IdentifierScanner.Token], meshes: [String], current: String?
    ) -> (products: [ProductReference], aliases: [String: ProductReference]) {
        var products: [ProductReference] = []
        var aliases: [String: ProductReference] = [:]
        let currentProducts = current.map { backend.productNames(mesh: $0) } ?? []
        var i = 0
        while i < tokens.count {
            guard case .name(let first) = tokens[i], i == 0 || tokens[i - 1] != .dot else { i += 1; continue }
            var ref: ProductReference?
            var end = i + 1
            if i + 2 < tokens.count, tokens[i + 1] == .dot, case .name(let second) = tokens[i + 2],
               let mesh = Self.match(first, in: meshes) {
                ref = ProductReference(mesh: mesh, product: second)
                end = i + 3
            } else if let current, let product = Self.match(first, in: currentProducts),
                      i + 1 >= tokens.count || tokens[i + 1] != .dot {
                ref = ProductReference(mesh: current, product: product)
            }
            guard let ref else { i += 1; continue }
            if !products.contains(ref) { products.append(ref) }
            aliases[ref.product] = ref
            var j = end
            if j < tokens.count, case .name(let w) = tokens[j], w.lowercased() == "as" { j += 1 }
            if j < tokens.count, case .name(let alias) = tokens[j], !SQLKeywords.set.contains(alias.lowercased()) {
                aliases[alias] = ref
            }
            i = end
        }
        return (products, aliases)
    }

    private func filter(_ words: [String], prefix: String) -> [String] {
        let lowered = prefix.lowercased()
        var seen: Set<String> = []
        return words.filter { $0.lowercased().hasPrefix(lowered) && seen.insert($0).inserted }
    }

    /// The spelling of `name` among `names`, ignoring case (unquoted names fold to lower case).
    static func match(_ name: String, in names: [String]) -> String? {
        if names.contains(name) { return name }
        let lowered = name.lowercased()
        return names.first { $0.lowercased() == lowered }
    }
}

/// A rough tokenizer for completion: names and dots, everything else a separator; strings and
/// comments skipped. It never fails — half-typed SQL is its normal input.
enum IdentifierScanner {
    enum Token: Equatable {
        case name(String)
        case dot
        case other
    }

    static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "$" { j += 1 }
                out.append(.name(String(chars[i..<j])))
                i = j
            } else if c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != "\"" { j += 1 }
                out.append(.name(String(chars[(i + 1)..<min(j, chars.count)])))
                i = j + 1
            } else if c == "'" {
                var j = i + 1
                while j < chars.count, chars[j] != "'" { j += 1 }
                out.append(.other)
                i = j + 1
            } else if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                while i < chars.count, !chars[i].isNewline { i += 1 }
            } else if c == "." {
                out.append(.dot)
                i += 1
            } else if c.isWhitespace {
                i += 1
            } else {
                out.append(.other)
                i += 1
            }
        }
        return out
    }
}
