;; SIMD128 kernels for the Pillow 9.4 LANCZOS resize in pillow-lanczos.ts (bit-identical).
;;
;; Rebuild the committed binary after editing, from the repository root (wabt 1.0.32, Debian package "wabt";
;; SIMD is on by default there, older wabt needs --enable-simd):
;;   wat2wasm src/media/imagehash/lanczos-simd.wat -o src/media/imagehash/lanczos-simd.wasm
;;
;; Every output sample is (1<<21 + sum(pixel * weight)) >> 22 clamped to 0..255, with int32 weights that have
;; 22 fractional bits. The exact sum fits in int32, so wrapping i32x4 arithmetic gives the same result as
;; Pillow's INT32 accumulator whatever the order of additions.
;;
;; All pointers are byte offsets in the exported memory; the caller (lanczos-wasm.ts) lays the buffers out
;; and leaves at least 32 spare bytes after each pixel buffer, because the kernels read whole vectors past
;; the last tap (those lanes meet zero weights) and the vertical pass stores whole 16-byte vectors.
(module
  (memory (export "memory") 1)

  ;; Horizontal pass, 3 interleaved channels, on i32x4.dot_i16x8_s. Each weight w is split into
  ;; hi = w >> 11 and lo = w & 2047 (both fit i16; w = hi*2048 + lo), and every i32 lane pairs two taps of
  ;; one channel, so one dot does two multiply-adds. hi*2048 + lo recombines with wrapping, which is exact
  ;; because the final sum fits in i32. A chunk is 8 taps (24 bytes); output xx reads from byte starts[xx]
  ;; of each row, runs chunks[xx] chunks, and its weights sit at weights + xx*wstride as six i16x8 vectors
  ;; per chunk (hi A, B, C then lo A, B, C, zero past the last tap). The pixel vectors are
  ;;   A = R0 R1 G0 G1 B0 B1 R2 R3 (bytes 0..9), B = G2 G3 B2 B3 R4 R5 G4 G5 (bytes 7..16),
  ;;   C = B4 B5 R6 R7 G6 G7 B6 B7 (bytes 14..23),
  ;; so the i32 lanes of the A/B/C sums hold channels RGBR, GBRG, BRGB. Two rows per sweep share the weights.
  (func (export "h3")
    (param $src i32) (param $rowLen i32) (param $rows i32) (param $outW i32)
    (param $starts i32) (param $chunks i32) (param $weights i32) (param $wstride i32) (param $out i32)
    (local $y i32) (local $xx i32) (local $p i32) (local $q i32) (local $wp i32) (local $n i32)
    (local $rowA i32) (local $qoff i32) (local $oA i32) (local $ooff i32) (local $outLen i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $l0 v128) (local $l1 v128) (local $l2 v128)
    (local $v v128) (local $t v128)
    (local.set $outLen (i32.mul (local.get $outW) (i32.const 3)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $rowA (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $rowLen))))
        (local.set $oA (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $outLen))))
        ;; A lone last row is swept as a pair with itself; both halves write the same bytes.
        (if (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (local.get $rows))
          (then (local.set $qoff (local.get $rowLen)) (local.set $ooff (local.get $outLen)))
          (else (local.set $qoff (i32.const 0)) (local.set $ooff (i32.const 0))))
        (local.set $xx (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p (i32.add (local.get $rowA)
              (i32.load (i32.add (local.get $starts) (i32.shl (local.get $xx) (i32.const 2))))))
            (local.set $q (i32.add (local.get $p) (local.get $qoff)))
            (local.set $n (i32.load (i32.add (local.get $chunks) (i32.shl (local.get $xx) (i32.const 2)))))
            (local.set $wp (i32.add (local.get $weights) (i32.mul (local.get $xx) (local.get $wstride))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $b0 (v128.const i32x4 0 0 0 0))
            (local.set $b1 (v128.const i32x4 0 0 0 0))
            (local.set $b2 (v128.const i32x4 0 0 0 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.eqz (local.get $n)))
                (local.set $h0 (v128.load (local.get $wp)))
                (local.set $h1 (v128.load offset=16 (local.get $wp)))
                (local.set $h2 (v128.load offset=32 (local.get $wp)))
                (local.set $l0 (v128.load offset=48 (local.get $wp)))
                (local.set $l1 (v128.load offset=64 (local.get $wp)))
                (local.set $l2 (v128.load offset=80 (local.get $wp)))
                ;; Swizzle indices of 128 give zero bytes, i.e. zero-extended u8 -> i16 lanes.
                (local.set $v (i8x16.swizzle (v128.load (local.get $p))
                  (v128.const i8x16 0 128 3 128 1 128 4 128 2 128 5 128 6 128 9 128)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h0)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l0)))))
                (local.set $v (i8x16.swizzle (v128.load offset=7 (local.get $p))
                  (v128.const i8x16 0 128 3 128 1 128 4 128 5 128 8 128 6 128 9 128)))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h1)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l1)))))
                (local.set $v (i8x16.swizzle (v128.load offset=8 (local.get $p))
                  (v128.const i8x16 6 128 9 128 10 128 13 128 11 128 14 128 12 128 15 128)))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h2)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l2)))))
                (local.set $v (i8x16.swizzle (v128.load (local.get $q))
                  (v128.const i8x16 0 128 3 128 1 128 4 128 2 128 5 128 6 128 9 128)))
                (local.set $b0 (i32x4.add (local.get $b0) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h0)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l0)))))
                (local.set $v (i8x16.swizzle (v128.load offset=7 (local.get $q))
                  (v128.const i8x16 0 128 3 128 1 128 4 128 5 128 8 128 6 128 9 128)))
                (local.set $b1 (i32x4.add (local.get $b1) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h1)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l1)))))
                (local.set $v (i8x16.swizzle (v128.load offset=8 (local.get $q))
                  (v128.const i8x16 6 128 9 128 10 128 13 128 11 128 14 128 12 128 15 128)))
                (local.set $b2 (i32x4.add (local.get $b2) (i32x4.add
                  (i32x4.shl (i32x4.dot_i16x8_s (local.get $v) (local.get $h2)) (i32.const 11))
                  (i32x4.dot_i16x8_s (local.get $v) (local.get $l2)))))
                (local.set $p (i32.add (local.get $p) (i32.const 24)))
                (local.set $q (i32.add (local.get $q) (i32.const 24)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 96)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $tapLoop)))
            ;; Fold to (R,G,B,_): R = a0[0]+a0[3]+a1[2]+a2[1], G = a0[1]+a1[0]+a1[3]+a2[2], B = a0[2]+a1[1]+a2[0]+a2[3],
            ;; plus the rounding term 1<<21.
            (local.set $t (i32x4.add
              (i32x4.add (local.get $a0)
                (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 20 21 22 23 (local.get $a0) (local.get $a1)))
              (i32x4.add
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 16 17 18 19 (local.get $a1) (local.get $a2))
                (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 12 13 14 15 (local.get $a2) (local.get $a2)))))
            ;; >> 22, then the two saturating narrows clamp to 0..255 exactly like clip8.
            (local.set $t (i32x4.shr_s (i32x4.add (local.get $t) (v128.const i32x4 0x200000 0x200000 0x200000 0))
              (i32.const 22)))
            (local.set $t (i16x8.narrow_i32x4_s (local.get $t) (local.get $t)))
            (local.set $t (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
            (local.set $p (i32.add (local.get $oA) (i32.mul (local.get $xx) (i32.const 3))))
            (v128.store16_lane 0 (local.get $p) (local.get $t))
            (v128.store8_lane offset=2 2 (local.get $p) (local.get $t))
            (local.set $t (i32x4.add
              (i32x4.add (local.get $b0)
                (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 20 21 22 23 (local.get $b0) (local.get $b1)))
              (i32x4.add
                (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 16 17 18 19 (local.get $b1) (local.get $b2))
                (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 12 13 14 15 (local.get $b2) (local.get $b2)))))
            (local.set $t (i32x4.shr_s (i32x4.add (local.get $t) (v128.const i32x4 0x200000 0x200000 0x200000 0))
              (i32.const 22)))
            (local.set $t (i16x8.narrow_i32x4_s (local.get $t) (local.get $t)))
            (local.set $t (i8x16.narrow_i16x8_u (local.get $t) (local.get $t)))
            (local.set $p (i32.add (local.get $p) (local.get $ooff)))
            (v128.store16_lane 0 (local.get $p) (local.get $t))
            (v128.store8_lane offset=2 2 (local.get $p) (local.get $t))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $colLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 2)))
        (br $rowLoop))))

  ;; Horizontal pass, 1 channel: chunks of 4 taps, weights one i32 per tap zero-padded to whole chunks.
  (func (export "h1")
    (param $src i32) (param $rowLen i32) (param $rows i32) (param $outW i32)
    (param $starts i32) (param $chunks i32) (param $weights i32) (param $wstride i32) (param $out i32)
    (local $y i32) (local $xx i32) (local $p i32) (local $wp i32) (local $n i32) (local $rowA i32) (local $oA i32)
    (local $a v128)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $rowA (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $rowLen))))
        (local.set $oA (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $outW))))
        (local.set $xx (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $p (i32.add (local.get $rowA)
              (i32.load (i32.add (local.get $starts) (i32.shl (local.get $xx) (i32.const 2))))))
            (local.set $n (i32.load (i32.add (local.get $chunks) (i32.shl (local.get $xx) (i32.const 2)))))
            (local.set $wp (i32.add (local.get $weights) (i32.mul (local.get $xx) (local.get $wstride))))
            (local.set $a (v128.const i32x4 0x200000 0 0 0))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.eqz (local.get $n)))
                (local.set $a (i32x4.add (local.get $a)
                  (i32x4.mul
                    (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                    (v128.load (local.get $wp)))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $tapLoop)))
            (local.set $a (i32x4.add (local.get $a)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a) (local.get $a))))
            (local.set $a (i32x4.add (local.get $a)
              (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a) (local.get $a))))
            (local.set $a (i32x4.shr_s (local.get $a) (i32.const 22)))
            (local.set $a (i16x8.narrow_i32x4_s (local.get $a) (local.get $a)))
            (local.set $a (i8x16.narrow_i16x8_u (local.get $a) (local.get $a)))
            (v128.store8_lane 0 (i32.add (local.get $oA) (local.get $xx)) (local.get $a))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $colLoop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; Vertical pass over rows of rowLen bytes (any channel count): output row yy sums counts[yy] source
  ;; rows starting at byte src + starts[yy], weights one i32 per tap at weights + yy*wstride. Sixteen
  ;; columns per sweep; the last sweep of a row may run past rowLen into bytes that are rewritten later
  ;; (next output row) or into the spare bytes after the buffer.
  (func (export "v")
    (param $src i32) (param $rowLen i32) (param $outH i32)
    (param $starts i32) (param $counts i32) (param $weights i32) (param $wstride i32) (param $out i32)
    (local $yy i32) (local $i i32) (local $first i32) (local $n i32) (local $wbase i32) (local $o i32)
    (local $p i32) (local $wp i32) (local $k i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $w v128) (local $v v128) (local $h v128)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $first (i32.add (local.get $src)
          (i32.load (i32.add (local.get $starts) (i32.shl (local.get $yy) (i32.const 2))))))
        (local.set $n (i32.load (i32.add (local.get $counts) (i32.shl (local.get $yy) (i32.const 2)))))
        (local.set $wbase (i32.add (local.get $weights) (i32.mul (local.get $yy) (local.get $wstride))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $yy) (local.get $rowLen))))
        (local.set $i (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $i) (local.get $rowLen)))
            (local.set $s0 (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
            (local.set $s1 (local.get $s0))
            (local.set $s2 (local.get $s0))
            (local.set $s3 (local.get $s0))
            (local.set $p (i32.add (local.get $first) (local.get $i)))
            (local.set $wp (local.get $wbase))
            (local.set $k (local.get $n))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.eqz (local.get $k)))
                (local.set $w (v128.load32_splat (local.get $wp)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $h (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $s0 (i32x4.add (local.get $s0)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $h)) (local.get $w))))
                (local.set $s1 (i32x4.add (local.get $s1)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $h)) (local.get $w))))
                (local.set $h (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $s2 (i32x4.add (local.get $s2)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $h)) (local.get $w))))
                (local.set $s3 (i32x4.add (local.get $s3)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $h)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (local.get $rowLen)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 4)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $tapLoop)))
            (v128.store (i32.add (local.get $o) (local.get $i))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $s0) (i32.const 22)) (i32x4.shr_s (local.get $s1) (i32.const 22)))
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $s2) (i32.const 22)) (i32x4.shr_s (local.get $s3) (i32.const 22)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $colLoop)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rowLoop))))
)
