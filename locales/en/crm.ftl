# crm
