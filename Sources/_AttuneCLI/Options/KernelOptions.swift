import ArgumentParser
import AttuneKernels

/// The flags that choose a kernel and its parameters, shared by every command that runs one.
struct KernelOptions: ParsableArguments {
  @Option(
    help:
      "Kernel: naive, blocked, parallel, simd or fused (default: fused, tiled as wisdom says).")
  var kernel: String?

  /// The kernel's name.
  var name: String { kernel ?? "fused" }

  /// Whether no flag chose the kernel or a parameter: the planner may then choose.
  var choosesNothing: Bool { kernel == nil && given.isEmpty }

  @Option(help: "Query rows per block (blocked, parallel, simd).")
  var blockSize: Int?

  @Option(help: "Query rows per tile (fused).")
  var blockQ: Int?

  @Option(help: "Keys per tile (fused).")
  var blockK: Int?

  @Option(help: "Worker threads (parallel, simd, fused; default: active processors).")
  var threads: Int?

  /// The flag that sets each kernel parameter.
  static let flags = [
    "blockSize": "--block-size", "blockQ": "--block-q", "blockK": "--block-k",
    "threads": "--threads",
  ]

  /// The parameter values given on the command line.
  var given: [String: Int] {
    var values: [String: Int] = [:]
    values["blockSize"] = blockSize
    values["blockQ"] = blockQ
    values["blockK"] = blockK
    values["threads"] = threads
    return values
  }

  /// Builds the chosen kernel, or explains in terms of flags what is wrong.
  func make() throws -> any AttentionKernel {
    do throws(AttentionError) {
      return try KernelCatalog.make(name, given)
    } catch .unknownParameter(let name, let parameter, let known) {
      let flag = Self.flags[parameter] ?? parameter
      let takes =
        known.isEmpty
        ? "it takes no parameters"
        : "it takes " + known.map { Self.flags[$0] ?? $0 }.joined(separator: ", ")
      throw ValidationError("\(flag) does not apply to the \(name) kernel; \(takes)")
    } catch .invalidParameter(_, let parameter, let value, let reason) {
      throw ValidationError("\(Self.flags[parameter] ?? parameter) \(value) is invalid: \(reason)")
    } catch {
      throw ValidationError(error.description)
    }
  }

  func validate() throws { _ = try make() }
}
