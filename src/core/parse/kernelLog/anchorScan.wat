;; The two hot loops of the kernel-log reader, in WebAssembly SIMD: counting newlines, and finding
;; the next place an anchor word ("oom", "emor", "Kill") starts. Node's Buffer.indexOf searches
;; with memchr on a pattern's first byte, which stops at every "o" and "e" of ordinary text; this
;; tests all three words on 32 bytes at a time instead.
;; Input lies at 0 (the inbox, 64 KiB, read into directly) or at 128 KiB (a copied piece of up to
;; 1 MiB). Loads read up to 51 bytes past `to`: a word found there is at worst a false candidate.
;; Regenerate anchorScanWasm.ts with `node scripts/gen-wasm.mjs` after editing.
(module
  ;; 128 KiB for the inbox, 1 MiB for a copied piece, and 64 KiB of slack for reads past the end.
  (memory (export "memory") 19)

  ;; Number of '\n' bytes in [p, to).
  (func (export "count") (param $p i32) (param $to i32) (result i32)
    (local $c i32) (local $nl v128)
    (local.set $nl (i8x16.splat (i32.const 10)))
    (block $vdone
      (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $to)))
        (local.set $c (i32.add (local.get $c)
          (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $nl))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $sdone
      (loop $s
        (br_if $sdone (i32.ge_u (local.get $p) (local.get $to)))
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 10))
          (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $s)))
    (local.get $c))

  ;; Bit i set when an anchor word starts at p+i (i < 16).
  (func $words (param $p i32) (result i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $v0 (v128.load (local.get $p)))
    (local.set $v1 (v128.load offset=1 (local.get $p)))
    (local.set $v2 (v128.load offset=2 (local.get $p)))
    (local.set $v3 (v128.load offset=3 (local.get $p)))
    (i8x16.bitmask (v128.or (v128.or
      ;; "oom"
      (v128.and (v128.and
        (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 111)))
        (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 111))))
        (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 109))))
      ;; "emor"
      (v128.and (v128.and
        (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 101)))
        (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 109))))
        (v128.and
          (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 111)))
          (i8x16.eq (local.get $v3) (i8x16.splat (i32.const 114))))))
      ;; "Kill"
      (v128.and (v128.and
        (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 75)))
        (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 105))))
        (v128.and
          (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 108)))
          (i8x16.eq (local.get $v3) (i8x16.splat (i32.const 108))))))))

  ;; Nonzero when some p+i (i < 16) starts "oo", "em" or "Ki": ordinary text rarely does.
  (func $pairs (param $p i32) (result v128)
    (local $v0 v128) (local $v1 v128)
    (local.set $v0 (v128.load (local.get $p)))
    (local.set $v1 (v128.load offset=1 (local.get $p)))
    (v128.or (v128.or
      (v128.and (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 111))) (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 111))))
      (v128.and (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 101))) (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 109)))))
      (v128.and (i8x16.eq (local.get $v0) (i8x16.splat (i32.const 75))) (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 105))))))

  ;; Offset of the first anchor word starting in [p, to), or -1.
  (func (export "find") (param $p i32) (param $to i32) (result i32)
    (local $b i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $p) (local.get $to)))
        (if (v128.any_true (v128.or (call $pairs (local.get $p)) (call $pairs (i32.add (local.get $p) (i32.const 16)))))
          (then
            (local.set $b (i32.or (call $words (local.get $p))
              (i32.shl (call $words (i32.add (local.get $p) (i32.const 16))) (i32.const 16))))
            (if (local.get $b)
              (then
                (local.set $i (i32.add (local.get $p) (i32.ctz (local.get $b))))
                (return (select (local.get $i) (i32.const -1) (i32.lt_u (local.get $i) (local.get $to))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l)))
    (i32.const -1))
)
