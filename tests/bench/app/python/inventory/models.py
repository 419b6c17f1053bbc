"""Inventory app: warehouses, products, stock levels and purchase orders.

This app is small enough that its admin configuration lives in this module
too (see the bottom section); ``inventory/admin.py`` just imports it so that
Django's autodiscovery picks it up.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest


sku_validator = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{2,31}$", _("SKU must be 3-32 chars of A-Z, 0-9 and '-'"))


def product_image_path(instance: "ProductImage", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"products/{instance.product.sku}/{uuid.uuid4().hex}.{ext}"


# ---------------------------------------------------------------------------
# base classes
# ---------------------------------------------------------------------------


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def inactive(self):
        return self.filter(is_active=False)


# ---------------------------------------------------------------------------
# warehouses
# ---------------------------------------------------------------------------


class Warehouse(TimeStampedModel):
    class Region(models.TextChoices):
        US_EAST = "us-east-1", "US East (N. Virginia)"
        US_WEST = "us-west-2", "US West (Oregon)"
        EU_WEST = "eu-west-1", "Europe (Ireland)"
        EU_CENTRAL = "eu-central-1", "Europe (Frankfurt)"
        AP_SOUTHEAST = "ap-southeast-2", "Asia Pacific (Sydney)"

    code = models.CharField(max_length=8, unique=True, validators=[RegexValidator(r"^[A-Z]{3}\d{1,5}$")])
    name = models.CharField(max_length=120)
    region = models.CharField(
        max_length=32,
        choices=Region.choices,
        default=Region.US_EAST,
        help_text=_("Fulfilment region; determines which regional stock feed this warehouse reports to."),
    )
    address = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="America/New_York")
    is_active = models.BooleanField(default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


# ---------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.full_path

    @property
    def full_path(self) -> str:
        parts, node, guard = [], self, 0
        while node is not None and guard < 10:
            parts.append(node.name)
            node, guard = node.parent, guard + 1
        return " / ".join(reversed(parts))


class ProductQuerySet(ActiveQuerySet):
    def with_stock(self):
        return self.annotate(
            on_hand=Coalesce(Sum("stock_levels__quantity"), 0),
            reserved=Coalesce(Sum("stock_levels__reserved"), 0),
        ).annotate(available=F("on_hand") - F("reserved"))

    def below_reorder_point(self):
        return self.with_stock().filter(available__lt=F("reorder_point"))

    def search(self, term: str):
        term = term.strip()
        if not term:
            return self
        return self.filter(Q(sku__iexact=term) | Q(name__icontains=term) | Q(barcode=term))


class Product(TimeStampedModel):
    class Unit(models.TextChoices):
        EACH = "ea", _("each")
        BOX = "box", _("box")
        KILOGRAM = "kg", _("kilogram")
        LITRE = "l", _("litre")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField(max_length=32, unique=True, validators=[sku_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    barcode = models.CharField(max_length=32, blank=True, db_index=True)
    unit = models.CharField(max_length=4, choices=Unit.choices, default=Unit.EACH)
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    list_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    reorder_point = models.PositiveIntegerField(default=10)
    reorder_quantity = models.PositiveIntegerField(default=50)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        indexes = [models.Index(fields=["is_active", "category"])]
        constraints = [
            models.CheckConstraint(check=Q(list_price__gte=F("unit_cost")), name="price_not_below_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def clean(self) -> None:
        super().clean()
        self.sku = (self.sku or "").upper()
        if self.attributes and not isinstance(self.attributes, dict):
            raise ValidationError({"attributes": _("Attributes must be a JSON object.")})

    def get_absolute_url(self) -> str:
        return reverse("inventory:product-detail", kwargs={"sku": self.sku})

    @property
    def margin(self) -> Decimal:
        if not self.list_price:
            return Decimal("0")
        return ((self.list_price - self.unit_cost) / self.list_price * 100).quantize(Decimal("0.1"))

    def available_in(self, warehouse: Warehouse) -> int:
        level = self.stock_levels.filter(warehouse=warehouse).first()
        return level.available if level else 0


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position"]

    def __str__(self) -> str:
        return f"{self.product.sku} image #{self.position}"

    @property
    def cdn_url(self) -> str:
        bucket = getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")
        domain = getattr(settings, "AWS_S3_CUSTOM_DOMAIN", None) or f"{bucket}.s3.amazonaws.com"
        return f"https://{domain}/{self.image.name}"


# ---------------------------------------------------------------------------
# stock
# ---------------------------------------------------------------------------


class InsufficientStock(Exception):
    def __init__(self, product: Product, warehouse: Warehouse, requested: int, available: int) -> None:
        super().__init__(f"{product.sku}@{warehouse.code}: requested {requested}, only {available} available")
        self.requested = requested
        self.available = available


class StockLevel(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    quantity = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    bin_location = models.CharField(max_length=20, blank=True)
    last_counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        unique_together = [("product", "warehouse")]
        constraints = [
            models.CheckConstraint(check=Q(quantity__gte=0), name="stock_quantity_non_negative"),
            models.CheckConstraint(check=Q(reserved__gte=0) & Q(reserved__lte=F("quantity")), name="reserved_within_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku}@{self.warehouse.code}: {self.quantity} ({self.reserved} reserved)"

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        SHIPMENT = "shipment", _("Shipment")
        ADJUSTMENT = "adjustment", _("Adjustment")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        RESERVATION = "reservation", _("Reservation")
        RELEASE = "release", _("Release")

    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    delta = models.IntegerField(help_text=_("Signed change in on-hand (or reserved) quantity."))
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        sign = "+" if self.delta >= 0 else ""
        return f"{self.get_kind_display()} {sign}{self.delta} {self.product.sku}@{self.warehouse.code}"


class StockService:
    """All stock mutations go through here so the ledger and levels never diverge."""

    @staticmethod
    def _lock_level(product: Product, warehouse: Warehouse) -> StockLevel:
        level, _created = StockLevel.objects.select_for_update().get_or_create(product=product, warehouse=warehouse)
        return level

    @classmethod
    @transaction.atomic
    def receive(cls, product: Product, warehouse: Warehouse, qty: int, *, reference: str = "", user=None) -> StockLevel:
        if qty <= 0:
            raise ValueError("receipt quantity must be positive")
        level = cls._lock_level(product, warehouse)
        level.quantity = F("quantity") + qty
        level.save(update_fields=["quantity"])
        StockMovement.objects.create(
            product=product, warehouse=warehouse, kind=StockMovement.Kind.RECEIPT, delta=qty, reference=reference, created_by=user
        )
        level.refresh_from_db()
        return level

    @classmethod
    @transaction.atomic
    def reserve(cls, product: Product, warehouse: Warehouse, qty: int, *, reference: str) -> StockLevel:
        level = cls._lock_level(product, warehouse)
        if level.available < qty:
            raise InsufficientStock(product, warehouse, qty, level.available)
        level.reserved += qty
        level.save(update_fields=["reserved"])
        StockMovement.objects.create(
            product=product, warehouse=warehouse, kind=StockMovement.Kind.RESERVATION, delta=qty, reference=reference
        )
        return level

    @classmethod
    @transaction.atomic
    def ship(cls, product: Product, warehouse: Warehouse, qty: int, *, reference: str) -> StockLevel:
        level = cls._lock_level(product, warehouse)
        if level.reserved < qty:
            raise InsufficientStock(product, warehouse, qty, level.reserved)
        level.reserved -= qty
        level.quantity -= qty
        level.save(update_fields=["reserved", "quantity"])
        StockMovement.objects.create(
            product=product, warehouse=warehouse, kind=StockMovement.Kind.SHIPMENT, delta=-qty, reference=reference
        )
        return level

    @classmethod
    @transaction.atomic
    def adjust(cls, product: Product, warehouse: Warehouse, counted: int, *, note: str, user=None) -> StockMovement | None:
        level = cls._lock_level(product, warehouse)
        delta = counted - level.quantity
        level.quantity = counted
        level.reserved = min(level.reserved, counted)
        level.last_counted_at = timezone.now()
        level.save(update_fields=["quantity", "reserved", "last_counted_at"])
        if delta == 0:
            return None
        return StockMovement.objects.create(
            product=product, warehouse=warehouse, kind=StockMovement.Kind.ADJUSTMENT, delta=delta, note=note, created_by=user
        )


# ---------------------------------------------------------------------------
# purchasing
# ---------------------------------------------------------------------------


class Supplier(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True)
    lead_time_days = models.PositiveSmallIntegerField(default=14)
    currency = models.CharField(max_length=3, default="USD")

    def __str__(self) -> str:
        return self.name


class PurchaseOrder(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PARTIAL = "partial", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(max_length=20, unique=True, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    expected_at = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        if not self.number:
            today = timezone.localdate()
            prefix = f"PO{today:%y%m}"
            last = PurchaseOrder.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
            seq = int(last[len(prefix):]) + 1 if last else 1
            self.number = f"{prefix}{seq:05d}"
        if not self.expected_at and self.supplier_id:
            self.expected_at = timezone.localdate() + timedelta(days=self.supplier.lead_time_days)
        super().save(*args, **kwargs)

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines.all()), Decimal("0"))

    @transaction.atomic
    def receive_all(self, user=None) -> int:
        if self.status not in (self.Status.SUBMITTED, self.Status.PARTIAL):
            raise ValidationError(_("Only submitted orders can be received."))
        received = 0
        for line in self.lines.select_related("product"):
            outstanding = line.quantity - line.received_quantity
            if outstanding > 0:
                StockService.receive(line.product, self.warehouse, outstanding, reference=self.number, user=user)
                line.received_quantity = line.quantity
                line.save(update_fields=["received_quantity"])
                received += outstanding
        self.status = self.Status.RECEIVED
        self.save(update_fields=["status", "updated_at"])
        return received


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2)
    received_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("order", "product")]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.quantity} x {self.product.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_cost * self.quantity


# ===========================================================================
# admin
# ===========================================================================


class StockLevelInline(admin.TabularInline):
    model = StockLevel
    extra = 0
    fields = ("warehouse", "quantity", "reserved", "bin_location", "last_counted_at")
    readonly_fields = ("quantity", "reserved", "last_counted_at")
    can_delete = False


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 1
    fields = ("image", "alt_text", "position", "preview")
    readonly_fields = ("preview",)

    @admin.display(description=_("Preview"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.pk or not obj.image:
            return "—"
        return format_html('<img src="{}" style="max-height:60px" alt="{}">', obj.cdn_url, obj.alt_text)


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock status")
    parameter_name = "stock"

    def lookups(self, request: "HttpRequest", model_admin):
        return [("low", _("Below reorder point")), ("out", _("Out of stock"))]

    def queryset(self, request: "HttpRequest", queryset):
        qs = queryset.with_stock()
        if self.value() == "low":
            return qs.filter(available__lt=F("reorder_point"), available__gt=0)
        if self.value() == "out":
            return qs.filter(available__lte=0)
        return queryset


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "is_active", "created_at")
    list_filter = ("region", "is_active")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug", "parent")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "list_price", "margin_display", "available_display", "is_active")
    list_filter = ("is_active", "category", "unit", LowStockFilter)
    search_fields = ("sku", "name", "barcode")
    list_select_related = ("category",)
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = [StockLevelInline, ProductImageInline]
    actions = ["deactivate", "create_reorder_pos"]
    fieldsets = (
        (None, {"fields": ("sku", "name", "description", "category", "barcode", "is_active")}),
        (_("Pricing"), {"fields": ("unit", "unit_cost", "list_price")}),
        (_("Replenishment"), {"fields": ("reorder_point", "reorder_quantity", "weight_grams")}),
        (_("Advanced"), {"classes": ("collapse",), "fields": ("attributes", "id", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: "HttpRequest"):
        return super().get_queryset(request).with_stock()

    @admin.display(description=_("Margin %"), ordering="list_price")
    def margin_display(self, obj: Product) -> str:
        return f"{obj.margin}%"

    @admin.display(description=_("Available"), ordering="available")
    def available_display(self, obj: Product) -> str:
        available = getattr(obj, "available", 0)
        colour = "#b00020" if available <= 0 else "#c77700" if available < obj.reorder_point else "#1b5e20"
        return format_html('<b style="color:{}">{}</b>', colour, available)

    @admin.action(description=_("Deactivate selected products"))
    def deactivate(self, request: "HttpRequest", queryset) -> None:
        updated = queryset.update(is_active=False)
        self.message_user(request, _("%d product(s) deactivated.") % updated, messages.SUCCESS)

    @admin.action(description=_("Create draft purchase orders for low stock"))
    def create_reorder_pos(self, request: "HttpRequest", queryset) -> None:
        supplier = Supplier.objects.order_by("name").first()
        warehouse = Warehouse.objects.active().first()
        if not supplier or not warehouse:
            self.message_user(request, _("Configure a supplier and an active warehouse first."), messages.ERROR)
            return
        low = queryset.below_reorder_point()
        if not low.exists():
            self.message_user(request, _("None of the selected products are below their reorder point."), messages.INFO)
            return
        with transaction.atomic():
            po = PurchaseOrder.objects.create(supplier=supplier, warehouse=warehouse, notes="Auto-generated from admin")
            PurchaseOrderLine.objects.bulk_create(
                [PurchaseOrderLine(order=po, product=p, quantity=p.reorder_quantity, unit_cost=p.unit_cost) for p in low]
            )
        url = reverse("admin:inventory_purchaseorder_change", args=[po.pk])
        self.message_user(request, format_html('Created <a href="{}">{}</a>.', url, po.number), messages.SUCCESS)


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "product", "warehouse", "delta", "reference", "created_by")
    list_filter = ("kind", "warehouse")
    search_fields = ("product__sku", "reference")
    date_hierarchy = "created_at"
    list_select_related = ("product", "warehouse", "created_by")

    def has_change_permission(self, request: "HttpRequest", obj=None) -> bool:
        return False  # the ledger is append-only

    def has_delete_permission(self, request: "HttpRequest", obj=None) -> bool:
        return False


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    autocomplete_fields = ("product",)
    readonly_fields = ("received_quantity",)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "supplier", "warehouse", "status", "expected_at", "total_display")
    list_filter = ("status", "supplier", "warehouse")
    search_fields = ("number", "supplier__name")
    inlines = [PurchaseOrderLineInline]
    readonly_fields = ("number", "created_at", "updated_at")
    actions = ["submit", "receive"]

    @admin.display(description=_("Total"))
    def total_display(self, obj: PurchaseOrder) -> str:
        return f"{obj.supplier.currency} {obj.total:,.2f}"

    @admin.action(description=_("Submit selected draft orders"))
    def submit(self, request: "HttpRequest", queryset) -> None:
        n = queryset.filter(status=PurchaseOrder.Status.DRAFT).update(status=PurchaseOrder.Status.SUBMITTED)
        self.message_user(request, _("%d order(s) submitted.") % n)

    @admin.action(description=_("Mark selected orders as fully received"))
    def receive(self, request: "HttpRequest", queryset) -> None:
        total = 0
        for po in queryset:
            try:
                total += po.receive_all(user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{po.number}: {exc.messages[0]}", messages.WARNING)
        self.message_user(request, _("Received %d unit(s).") % total, messages.SUCCESS)


admin.site.register(Supplier)
