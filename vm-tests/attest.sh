# placeholder
vm_server_stop() { :; }
