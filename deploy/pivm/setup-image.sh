#!/bin/sh
# Runs inside the arm64 root filesystem (chroot, through qemu-user-static) once debootstrap is done.
# Part of the image recipe: changing this file rebuilds the image.
set -eu
echo pi-vm > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 pi-vm\n' > /etc/hosts
echo '/dev/vda / ext4 defaults,noatime 0 1' > /etc/fstab

# qemu's user network: the VM is 10.0.2.15, the host 10.0.2.2, its DNS relay 10.0.2.3.
mkdir -p /etc/systemd/network
cat > /etc/systemd/network/10-qemu.network <<'EOF'
[Match]
Name=en* eth*

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
DNS=10.0.2.3
EOF
rm -f /etc/resolv.conf
echo 'nameserver 10.0.2.3' > /etc/resolv.conf
systemctl enable systemd-networkd ssh serial-getty@ttyAMA0

# The Pi's user: sudo without a password, as Raspberry Pi OS sets it up; key login only.
useradd --create-home --shell /bin/bash --groups sudo,video pi
usermod -p '*' pi
echo 'pi ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/010_pi-nopasswd
chmod 0440 /etc/sudoers.d/010_pi-nopasswd
install -d -m 0700 -o pi -g pi /home/pi/.ssh
install -m 0600 -o pi -g pi /tmp/authorized_keys /home/pi/.ssh/authorized_keys
rm /tmp/authorized_keys
sed -i 's/^#\?PasswordAuthentication.*/PasswordAuthentication no/; s/^#\?UseDNS.*/UseDNS no/' /etc/ssh/sshd_config

# A journal that survives the reboot check; no waiting for a network that is configured statically.
mkdir -p /var/log/journal
systemctl mask systemd-networkd-wait-online.service
apt-get clean
rm -rf /var/lib/apt/lists/*
