from servicetitan.sync.streams import Stream

STREAMS = [
    Stream("inventory.vendors", "inventory.RawVendor", "inventory.Vendor"),
    Stream("inventory.warehouses", "inventory.RawWarehouse", "inventory.Warehouse"),
    Stream("inventory.purchase-orders", "inventory.RawPurchaseOrder", "inventory.PurchaseOrder"),
    Stream("inventory.adjustments", "inventory.RawAdjustment", "inventory.Adjustment"),
    Stream("inventory.trucks", "inventory.RawTruck", "inventory.Truck"),
    Stream("inventory.receipts", "inventory.RawReceipt", "inventory.Receipt"),
    Stream("inventory.returns", "inventory.RawReturn", "inventory.Return"),
    Stream("inventory.transfers", "inventory.RawTransfer", "inventory.Transfer"),
]
