// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the guest instruction behind an MMIO EPT violation, and the
 * register rules to complete it. Pure logic: see emulate.h.
 *
 * References are to the Intel SDM:
 *   Vol. 2A 2.1 "Instruction Format" (prefixes, ModRM, SIB, displacement,
 *   immediate; 15-byte limit), 2.1.1 "Instruction Prefixes",
 *   2.1.5 "Addressing-Mode Encoding of ModR/M and SIB Bytes"
 *   (Tables 2-1, 2-2, 2-3), 2.2.1 "REX Prefixes" (Tables 2-4, 2-5),
 *   2.2.1.6 "RIP-Relative Addressing", 3.1.1.1 "Opcode Column in the
 *   Instruction Summary Table" (Table 3-1, byte registers with REX);
 *   Vol. 1 3.6 "Operand-size and Address-size Attributes" and
 *   3.4.1.1 "General-Purpose Registers in 64-Bit Mode".
 */
#include "emulate.h"

/* The bytes being decoded, never read at or past @lim. */
struct mmio_cursor {
	const u8 *bytes;
	unsigned int lim;
	unsigned int pos;
};

/* Read @n (0-8) bytes little-endian; -EINVAL if they are not there. */
static int fetch(struct mmio_cursor *c, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > c->lim - c->pos)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	if (val)
		*val = v;
	return 0;
}

static int fetch_u8(struct mmio_cursor *c, u8 *val)
{
	u64 v;
	int err;

	err = fetch(c, 1, &v);
	if (!err)
		*val = (u8)v;
	return err;
}

/* Sign-extend the low @bytes bytes of @v to 64 bits. */
static u64 sext(u64 v, unsigned int bytes)
{
	u64 sign;

	if (bytes >= 8)
		return v;
	sign = 1ULL << (8 * bytes - 1);
	v &= (sign << 1) - 1;
	return (v ^ sign) - sign;
}

/* Keep the low @bytes bytes of @v. */
static u64 low_bytes(u64 v, unsigned int bytes)
{
	if (bytes >= 8)
		return v;
	return v & ((1ULL << (8 * bytes)) - 1);
}

/* What the ModRM byte and what follows it say. */
struct mmio_modrm {
	u8 mod;
	u8 reg;		/* ModRM.reg with REX.R: 0-15 */
	u8 reg3;	/* ModRM.reg alone, the /digit of an opcode group */
	bool rip_relative;
	u8 base;	/* address registers, MMIO_REG_NONE if absent */
	u8 index;
	u8 scale;
	u64 disp;	/* sign-extended */
	bool ss_default;
};

/* GPR numbers of Vol. 2A Table 2-1 (16-bit addressing). */
#define GPR_BX	3
#define GPR_SP	4
#define GPR_BP	5
#define GPR_SI	6
#define GPR_DI	7

/*
 * Consume ModRM, SIB and displacement (Vol. 2A 2.1.5, Tables 2-1 to 2-3)
 * and say which registers form the address.
 * REX.B and REX.X extend base and index but do not change which
 * encodings take a SIB or a displacement (Vol. 2A 2.2.1, Table 2-5
 * "Special Cases of REX Encodings"): rm = 100 always means SIB,
 * mod = 00 with rm = 101 always means disp32 (RIP-relative in 64-bit
 * mode, 2.2.1.6), and a SIB base of 101 with mod = 00 always means
 * disp32 without a base. A SIB index of 100 without REX.X means none.
 */
static int decode_modrm(struct mmio_cursor *c, unsigned int addr_size,
			bool long64, u8 rex, struct mmio_modrm *m)
{
	static const u8 base16[8] = {
		GPR_BX, GPR_BX, GPR_BP, GPR_BP,
		MMIO_REG_NONE, MMIO_REG_NONE, GPR_BP, GPR_BX,
	};
	static const u8 index16[8] = {
		GPR_SI, GPR_DI, GPR_SI, GPR_DI,
		GPR_SI, GPR_DI, MMIO_REG_NONE, MMIO_REG_NONE,
	};
	unsigned int disp = 0;
	u8 modrm, rm, sib;
	u64 v;
	int err;

	err = fetch_u8(c, &modrm);
	if (err)
		return err;
	m->mod = modrm >> 6;
	m->reg3 = (modrm >> 3) & 7;
	m->reg = m->reg3 | ((rex & 0x4) ? 8 : 0);
	m->rip_relative = false;
	m->base = MMIO_REG_NONE;
	m->index = MMIO_REG_NONE;
	m->scale = 1;
	m->disp = 0;
	m->ss_default = false;
	rm = modrm & 7;

	if (m->mod == 3)
		return 0;

	if (addr_size == 2) {
		/* Table 2-1: 16-bit addressing, no SIB. */
		if (m->mod == 1)
			disp = 1;
		else if (m->mod == 2 || rm == 6)
			disp = 2;
		if (m->mod != 0 || rm != 6) {
			m->base = base16[rm];
			m->index = index16[rm];
		}
	} else {
		/* Table 2-2 and 2-3: 32- and 64-bit addressing. */
		if (rm == 4) {
			u8 idx;

			err = fetch_u8(c, &sib);
			if (err)
				return err;
			m->scale = 1 << (sib >> 6);
			idx = ((sib >> 3) & 7) | ((rex & 0x2) ? 8 : 0);
			if (idx != GPR_SP)
				m->index = idx;
			if (m->mod == 0 && (sib & 7) == 5)
				disp = 4;
			else
				m->base = (sib & 7) | ((rex & 0x1) ? 8 : 0);
		} else if (m->mod == 0 && rm == 5) {
			disp = 4;
			m->rip_relative = long64;
		} else {
			m->base = rm | ((rex & 0x1) ? 8 : 0);
		}
		if (m->mod == 1)
			disp = 1;
		else if (m->mod == 2)
			disp = 4;
	}
	/* Vol. 1 3.7.4.1: rBP and rSP as base default to SS. */
	m->ss_default = m->base == GPR_BP || m->base == GPR_SP;
	err = fetch(c, disp, &v);
	if (err)
		return err;
	m->disp = disp ? sext(v, disp) : 0;
	return 0;
}

/* Immediate of an operand-size "iz" operand: 16 or 32 bits. */
static unsigned int imm_z(unsigned int op_size)
{
	return op_size == 2 ? 2 : 4;
}

/*
 * The ALU forms with a memory operand are recognised so that the length
 * is known, but not emulated: consume them and say -EOPNOTSUPP.
 */
static int skip_alu(struct mmio_cursor *c, u8 op, unsigned int op_size,
		    unsigned int addr_size, bool long64, u8 rex)
{
	struct mmio_modrm m;
	unsigned int imm = 0;
	int err;

	err = decode_modrm(c, addr_size, long64, rex, &m);
	if (err)
		return err;
	switch (op) {
	case 0x80:
	case 0x83:
		imm = 1;
		break;
	case 0x81:
		imm = imm_z(op_size);
		break;
	case 0xf6:
		imm = m.reg3 < 2 ? 1 : 0;	/* TEST r/m8, imm8 */
		break;
	case 0xf7:
		imm = m.reg3 < 2 ? imm_z(op_size) : 0;
		break;
	default:			/* 00-3B, 84, 85: no immediate */
		break;
	}
	err = fetch(c, imm, NULL);
	if (err)
		return err;
	return -EOPNOTSUPP;
}

/* Register operand of a byte instruction: Vol. 2A 3.1.1.1, Table 3-1. */
static void set_reg(struct mmio_insn *out, u8 reg, u8 rex)
{
	if (out->size == 1 && !rex && reg >= 4 && reg < 8) {
		out->reg = reg - 4;
		out->high_byte = true;
	} else {
		out->reg = reg;
	}
}

int mmio_decode(const u8 *bytes, unsigned int avail, enum x86_cpu_mode mode,
		struct mmio_insn *out)
{
	struct mmio_cursor c = {
		.bytes = bytes,
		.lim = avail < MMIO_INSN_MAX_LEN ? avail : MMIO_INSN_MAX_LEN,
	};
	bool long64 = mode == X86_MODE_LONG64;
	bool def16 = mode == X86_MODE_REAL || mode == X86_MODE_PROT16;
	bool opsize_pfx = false, addrsize_pfx = false, lock = false;
	u8 rep_pfx = 0, seg = MMIO_SEG_NONE, rex = 0, op;
	unsigned int op_size, addr_size;
	struct mmio_modrm m = { 0 };
	u64 imm;
	int err;

	*out = (struct mmio_insn){
		.seg = MMIO_SEG_NONE,
		.base = MMIO_REG_NONE,
		.index = MMIO_REG_NONE,
		.scale = 1,
	};

	/*
	 * Vol. 2A 2.1.1 "Instruction Prefixes": legacy prefixes in any order
	 * and number, within the 15-byte limit. Vol. 2A 2.2.1 "REX
	 * Prefixes": a REX prefix counts only if it comes right before the
	 * opcode; one followed by a legacy prefix is ignored, and 40-4F are
	 * INC/DEC outside 64-bit mode.
	 */
	for (;;) {
		err = fetch_u8(&c, &op);
		if (err)
			return err;
		switch (op) {
		case 0x66:
			opsize_pfx = true;
			break;
		case 0x67:
			addrsize_pfx = true;
			break;
		case 0xf2:
		case 0xf3:
			rep_pfx = op;
			break;
		case 0xf0:
			lock = true;
			break;
		case 0x26:
			seg = MMIO_SEG_ES;
			break;
		case 0x2e:
			seg = MMIO_SEG_CS;
			break;
		case 0x36:
			seg = MMIO_SEG_SS;
			break;
		case 0x3e:
			seg = MMIO_SEG_DS;
			break;
		case 0x64:
			seg = MMIO_SEG_FS;
			break;
		case 0x65:
			seg = MMIO_SEG_GS;
			break;
		default:
			if (long64 && (op & 0xf0) == 0x40) {
				rex = op;
				continue;
			}
			goto opcode;
		}
		rex = 0;
	}
opcode:
	/*
	 * Vol. 1 3.6 "Operand-size and Address-size Attributes" and Vol. 2A
	 * 2.2.1.2 "More on REX Prefix Fields": REX.W gives 64 bits and
	 * overrides 66; 66 toggles 16/32; 67 toggles the address size (64 to
	 * 32 in 64-bit mode). Vol. 1 3.4.2.1 "Segment Registers in 64-Bit
	 * Mode": there the ES, CS, SS and DS overrides are ignored.
	 */
	if (rex & 0x8)
		op_size = 8;
	else
		op_size = def16 != opsize_pfx ? 2 : 4;
	if (long64)
		addr_size = addrsize_pfx ? 4 : 8;
	else
		addr_size = def16 != addrsize_pfx ? 2 : 4;
	if (long64 && seg != MMIO_SEG_FS && seg != MMIO_SEG_GS)
		seg = MMIO_SEG_NONE;

	out->addr_size = addr_size;
	out->seg = seg;

	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m16/32/64, r16/32/64 */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r16/32/64, r/m16/32/64 */
		err = decode_modrm(&c, addr_size, long64, rex, &m);
		if (err)
			return err;
		out->size = (op & 1) ? op_size : 1;
		out->write = !(op & 2);
		out->src = out->write ? MMIO_SRC_REG : MMIO_SRC_NONE;
		set_reg(out, m.reg, rex);
		break;

	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m16/32, imm16/32; REX.W: imm32 sign-extended */
		err = decode_modrm(&c, addr_size, long64, rex, &m);
		if (err)
			return err;
		/* Only /0 is MOV; /7 with mod = 11 is XABORT/XBEGIN. */
		if (m.reg3 != 0)
			return m.mod == 3 ? -EOPNOTSUPP : -EINVAL;
		out->size = op == 0xc6 ? 1 : op_size;
		err = fetch(&c, op == 0xc6 ? 1 : imm_z(op_size), &imm);
		if (err)
			return err;
		/* imm32 with REX.W is sign-extended to 64 bits. */
		out->imm = op == 0xc6 ? imm :
			   low_bytes(sext(imm, imm_z(op_size)), op_size);
		out->write = true;
		out->src = MMIO_SRC_IMM;
		break;

	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV rAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, rAX */
		/* The offset is address-size wide: 8 bytes in 64-bit mode. */
		err = fetch(&c, addr_size, &imm);
		if (err)
			return err;
		out->disp = imm;
		out->size = (op & 1) ? op_size : 1;
		out->write = op & 2;
		out->src = out->write ? MMIO_SRC_REG : MMIO_SRC_NONE;
		out->reg = 0;
		break;

	case 0x63:	/* MOVSXD r, r/m: 64-bit mode only (else ARPL) */
		if (!long64)
			return -EOPNOTSUPP;
		err = decode_modrm(&c, addr_size, long64, rex, &m);
		if (err)
			return err;
		out->dst_size = op_size;
		out->size = op_size == 8 ? 4 : op_size;
		out->ext = MMIO_EXT_SIGN;
		out->reg = m.reg;
		break;

	case 0xaa:	/* STOSB */
	case 0xab:	/* STOSW/D/Q */
	case 0xac:	/* LODSB */
	case 0xad:	/* LODSW/D/Q */
	case 0xa4:	/* MOVSB */
	case 0xa5:	/* MOVSW/D/Q */
		out->size = (op & 1) ? op_size : 1;
		out->is_string = true;
		out->rep = rep_pfx != 0;
		out->reg = 0;
		if (op >= 0xac) {
			out->op = MMIO_OP_LODS;
		} else if (op >= 0xaa) {
			out->op = MMIO_OP_STOS;
			out->write = true;
			out->src = MMIO_SRC_REG;
			out->seg = MMIO_SEG_NONE;	/* always ES:rDI */
		} else {
			out->op = MMIO_OP_MOVS;
		}
		break;

	case 0x0f:
		err = fetch_u8(&c, &op);
		if (err)
			return err;
		/* MOVZX 0F B6/B7, MOVSX 0F BE/BF: r16/32/64, r/m8 or r/m16 */
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EOPNOTSUPP;
		err = decode_modrm(&c, addr_size, long64, rex, &m);
		if (err)
			return err;
		out->size = (op & 1) ? 2 : 1;
		out->dst_size = op_size;
		out->ext = (op & 8) ? MMIO_EXT_SIGN : MMIO_EXT_ZERO;
		out->reg = m.reg;
		break;

	case 0x80:
	case 0x81:
	case 0x83:
	case 0x84:
	case 0x85:
	case 0xf6:
	case 0xf7:
		err = skip_alu(&c, op, op_size, addr_size, long64, rex);
		out->len = c.pos;
		return err;

	default:
		/* 00-3B with low bits 0-3: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP. */
		if (op < 0x40 && !(op & 0xc4)) {
			err = skip_alu(&c, op, op_size, addr_size, long64,
				       rex);
			out->len = c.pos;
			return err;
		}
		return -EOPNOTSUPP;
	}

	/* Register forms (mod = 11) have no memory operand to emulate. */
	if (m.mod == 3)
		return -EOPNOTSUPP;
	/* Vol. 2A 2.1.1: LOCK on a MOV or string instruction is #UD. */
	if (lock)
		return -EINVAL;
	if (!out->dst_size)
		out->dst_size = out->size;
	out->rip_relative = m.rip_relative;
	if (op != 0xa0 && op != 0xa1 && op != 0xa2 && op != 0xa3 &&
	    !out->is_string) {
		out->base = m.base;
		out->index = m.index;
		out->scale = m.scale;
		out->disp = m.disp;
		out->ss_default = m.ss_default;
	}
	out->len = c.pos;
	return 0;
}

u64 mmio_read_result(const struct mmio_insn *insn, u64 old, const void *data)
{
	const u8 *p = data;
	unsigned int i, dst;
	u64 v = 0;

	for (i = 0; i < insn->size && i < 8; i++)
		v |= (u64)p[i] << (8 * i);
	if (insn->ext == MMIO_EXT_SIGN)
		v = sext(v, insn->size);
	dst = insn->dst_size ? insn->dst_size : insn->size;

	/* Vol. 1 3.4.1.1: which bits of the destination a result replaces. */
	switch (dst) {
	case 1:
		if (insn->high_byte)
			return (old & ~0xff00ULL) | ((v & 0xff) << 8);
		return (old & ~0xffULL) | (v & 0xff);
	case 2:
		return (old & ~0xffffULL) | (v & 0xffff);
	case 4:
		return v & 0xffffffffULL;
	default:
		return v;
	}
}

u64 mmio_effective_addr(const struct mmio_insn *insn, const u64 regs[16],
			u64 next_rip)
{
	u64 ea = insn->disp;

	if (insn->base != MMIO_REG_NONE)
		ea += regs[insn->base & 15];
	if (insn->index != MMIO_REG_NONE)
		ea += regs[insn->index & 15] * insn->scale;
	if (insn->rip_relative)
		ea += next_rip;
	return low_bytes(ea, insn->addr_size);
}

u64 mmio_write_value(const struct mmio_insn *insn, const u64 regs[16])
{
	switch (insn->src) {
	case MMIO_SRC_REG:
		if (insn->high_byte)
			return (regs[insn->reg & 3] >> 8) & 0xff;
		return low_bytes(regs[insn->reg & 15], insn->size);
	case MMIO_SRC_IMM:
		return low_bytes(insn->imm, insn->size);
	default:
		return 0;
	}
}
