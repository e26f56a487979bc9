// SPDX-License-Identifier: GPL-2.0
/*
 * VMX off when the kernel goes down the hard way: a crash (kdump) or an
 * emergency restart.
 *
 * Those paths stop the other CPUs with an NMI and, on every CPU, call the
 * one "emergency virtualization callback" the kernel keeps
 * (cpu_emergency_register_virt_callback(): in 6.12, and backported to
 * Debian's 6.1). Nothing else turns VMX off there, and the next kernel
 * or the firmware needs INIT, which VMX root operation blocks (Vol. 3C
 * 23.8 Restrictions on VMX Operation).
 *
 * The kernel keeps a single callback, meant for kvm_intel, and WARNs if a
 * second one is registered. Hence:
 *  - Before 6.12, kvm_intel registers its callback at load, used or not;
 *    it turns VMX off on any CPU with CR4.VMXE set, hvk's CPUs included.
 *    If kvm_intel is loaded, hvk relies on that callback and pins
 *    kvm_intel so that it stays until hvk unloads.
 *  - From 6.12, kvm_intel registers its callback whenever it turns VMX
 *    on: at load (then hvk has refused already: VMX in use), or, with
 *    kvm.enable_virt_at_load=0, for its first VM. hvk refuses to load
 *    next to a loaded kvm_intel rather than let that VM trip the
 *    kernel's WARN.
 *  - Otherwise hvk registers its own callback.
 *  - While hvk is loaded, kvm_intel may not load: it could not get VMX
 *    anyway, and its callback would collide with hvk's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/version.h>

#include <asm/reboot.h>

#include "vmx.h"

#define KVM_INTEL	"kvm_intel"

static bool vmx_emergency_registered;
/* kvm_intel, pinned because its callback serves hvk; NULL if built in. */
static struct module *vmx_kvm_intel;

static void vmx_emergency_disable(void)
{
	vmx_cpu_emergency_disable();
}

static int vmx_module_notify(struct notifier_block *nb, unsigned long state,
			     void *data)
{
	struct module *mod = data;

	if (state != MODULE_STATE_COMING || strcmp(mod->name, KVM_INTEL))
		return NOTIFY_DONE;
	pr_err("kvm_intel cannot load while hvk holds VMX: unload hvk first\n");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block vmx_module_nb = {
	.notifier_call = vmx_module_notify,
};

/*
 * kvm_intel's module kobject if it is loaded (or built in), looked up as
 * /sys/module shows it: in the kset of module kobjects, hvk's own.
 */
static struct module_kobject *vmx_find_kvm_intel(void)
{
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	struct kobject *kobj;

	kobj = modules ? kset_find_obj(modules, KVM_INTEL) : NULL;
	return kobj ? container_of(kobj, struct module_kobject, kobj) : NULL;
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static int vmx_share_with_kvm_intel(struct module_kobject *mk)
{
	/* Built in (no module), or pinned while hvk relies on it. */
	if (mk->mod && !try_module_get(mk->mod)) {
		pr_err("kvm_intel is being unloaded: try again once it is gone\n");
		return -EBUSY;
	}
	/*
	 * try_module_get() also succeeds while kvm_intel is still in its
	 * init: that may yet fail and free the module whatever its
	 * refcount, and its emergency callback may not be registered yet.
	 */
	if (mk->mod && mk->mod->state != MODULE_STATE_LIVE) {
		module_put(mk->mod);
		pr_err("kvm_intel is still loading: try again once it is loaded\n");
		return -EBUSY;
	}
	vmx_kvm_intel = mk->mod;
	pr_info("kvm_intel is loaded: its emergency VMXOFF covers hvk, so it stays loaded until hvk unloads\n");
	return 0;
}
#else
static int vmx_share_with_kvm_intel(struct module_kobject *mk)
{
	pr_err("kvm_intel is loaded: it would take VMX for its first VM; unload it first\n");
	return -EBUSY;
}
#endif

/**
 * vmx_emergency_init() - make sure crash and emergency paths leave VMX
 *
 * Called before the first VMXON.
 *
 * Return: 0, or -EBUSY if kvm_intel is in the way.
 */
int vmx_emergency_init(void)
{
	struct module_kobject *mk;
	int r;

	/* First, so that no kvm_intel slips in after the check below. */
	r = register_module_notifier(&vmx_module_nb);
	if (r)
		return r;

	mk = vmx_find_kvm_intel();
	if (!mk) {
		cpu_emergency_register_virt_callback(vmx_emergency_disable);
		vmx_emergency_registered = true;
		return 0;
	}

	r = vmx_share_with_kvm_intel(mk);
	kobject_put(&mk->kobj);
	if (r)
		goto unregister_notifier;
	return 0;

unregister_notifier:
	unregister_module_notifier(&vmx_module_nb);
	return r;
}

/* Undo vmx_emergency_init(), once VMX is off on every CPU. */
void vmx_emergency_exit(void)
{
	if (vmx_emergency_registered) {
		/* Waits (synchronize_rcu()) until no CPU runs the callback. */
		cpu_emergency_unregister_virt_callback(vmx_emergency_disable);
		vmx_emergency_registered = false;
	}
	if (vmx_kvm_intel) {
		module_put(vmx_kvm_intel);
		vmx_kvm_intel = NULL;
	}
	unregister_module_notifier(&vmx_module_nb);
}
