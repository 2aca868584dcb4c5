from ninja import Field, Schema


class BranchIn(Schema):
    code: str = Field(..., max_length=20)
    name: str = Field(..., max_length=100)
    address: str = Field("", max_length=200)
    active: bool = True


class BranchOut(Schema):
    id: int
    code: str
    name: str
    address: str
    active: bool


class VisitIn(Schema):
    branch_id: int
    method: str = Field(..., max_length=10, description="document, card or pin")
    value: str = Field(..., max_length=100, description="the document or card number, or the PIN")
    customer_id: int | None = Field(None, description="required with a PIN")
    subject: str = Field("", max_length=200)
    body: str = Field("", max_length=10000)
    outcome: str = Field("", max_length=100)
